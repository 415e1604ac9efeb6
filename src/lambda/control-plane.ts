/**
 * The Lambda control plane: deploys, changes and removes functions at run time — their row
 * in vigil.db, their code package on disk, and their place in the running function runtime
 * — and keeps their resource policies and event-invoke configs. The wire layer
 * (operations.ts) calls it after authorizing the caller.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { functionArn, type FunctionDefinition, type FunctionRuntime } from '../functions/index.js';
import type { PolicyDocument } from '../iam/types.js';
import type { CodeStore } from './code-package.js';
import {
  configFunction,
  functionExists,
  functionNotFound,
  invalidParameter,
  LambdaError,
  revisionMismatch,
} from './errors.js';
import type { FunctionStore } from './function-store.js';
import { readEventInvokeConfig } from './event-invoke-config.js';
import type { Input } from './input.js';
import type { Scope } from './names.js';
import { addStatement, permissionStatement, removeStatement, toPolicyDocument } from './policy.js';
import { parseHandler, readArchitecture, readSettings } from './settings.js';
import type { EventInvokeConfig, RoleDirectory, StoredFunction } from './types.js';
import { configFileConfiguration, configurationOf, eventInvokeConfigOf } from './view.js';

/** Worker threads of a deployed function (Lambda has no per-function default limit). */
export const DEPLOYED_CONCURRENCY = 10;

export interface ControlPlaneOptions {
  store: FunctionStore;
  code: CodeStore;
  runtime: FunctionRuntime;
  roles: RoleDirectory;
  /** Vigil's queues, the possible on-failure destinations. */
  queues: { exists(name: string): boolean };
  scope: Scope;
  logger: Logger;
  now?: () => number;
}

export class LambdaControlPlane {
  private readonly now: () => number;
  /** The RevisionId config-file functions show: one per process, as they change only on restart. */
  private readonly configRevision = randomUUID();

  constructor(private readonly options: ControlPlaneOptions) {
    this.now = options.now ?? Date.now;
  }

  /** At start: deployed functions join the runtime; packages no function uses are removed. */
  async load(): Promise<void> {
    await this.options.code.open();
    const stored = this.options.store.all();
    for (const fn of stored) {
      if (this.options.runtime.has(fn.name)) {
        this.options.logger.warn(
          { function: fn.name },
          "a function deployed through the Lambda API has the name of one in Vigil's config file; the config file's runs",
        );
        continue;
      }
      this.options.runtime.put(this.definitionOf(fn));
    }
    await this.options.code.prune(new Set(stored.map((fn) => fn.codeId)));
  }

  /** The function's resource policy (JSON), for S3 to check before sending it events. */
  policyOf(name: string): string | undefined {
    return this.options.store.policy(name)?.policy;
  }

  /** The function's policy as the access gate evaluates it. */
  resourcePolicy(name: string): PolicyDocument | undefined {
    const policy = this.policyOf(name);
    return policy === undefined ? undefined : toPolicyDocument(policy);
  }

  exists(name: string): boolean {
    return this.options.runtime.has(name);
  }

  async create(name: string, input: Input, zip: Buffer): Promise<Record<string, unknown>> {
    if (input['PackageType'] !== undefined && input['PackageType'] !== 'Zip')
      throw invalidParameter('Vigil runs only Zip packages: PackageType Image is not supported.');
    const settings = readSettings(input, this.options.roles);
    if (this.exists(name)) throw functionExists(name);
    const pkg = await this.options.code.add(zip);
    const fn: StoredFunction = {
      name,
      settings,
      codeId: pkg.id,
      codeSha256: pkg.sha256,
      codeSize: pkg.size,
      revisionId: randomUUID(),
      lastModified: this.now(),
    };
    // Checked again: another request may have taken the name while the zip was extracted.
    if (this.exists(name) || !(await this.options.store.insert(fn))) throw functionExists(name);
    this.options.runtime.put(this.definitionOf(fn));
    return configurationOf(fn, this.options.scope);
  }

  get(name: string): Record<string, unknown> {
    const fn = this.options.store.get(name);
    if (fn) return configurationOf(fn, this.options.scope);
    const resolved = this.options.runtime.describe(name);
    if (!resolved) throw this.notFound(name);
    return configFileConfiguration(resolved, this.options.scope, this.configRevision);
  }

  /** The deployed function's code package id, when it was deployed through the API. */
  codeId(name: string): string | undefined {
    return this.options.store.get(name)?.codeId;
  }

  /** Every function's name, deployed and declared, in name order. */
  names(): string[] {
    return this.options.runtime.functionNames().sort();
  }

  async updateCode(name: string, input: Input, zip: Buffer): Promise<Record<string, unknown>> {
    const fn = this.deployed(name);
    checkRevision(fn, input);
    const architecture = readArchitecture(input) ?? fn.settings.architecture;
    const pkg = await this.options.code.add(zip);
    if (input['DryRun'] === true) return configurationOf(fn, this.options.scope);
    return this.replace(fn, {
      ...fn,
      settings: { ...fn.settings, architecture },
      codeId: pkg.id,
      codeSha256: pkg.sha256,
      codeSize: pkg.size,
    });
  }

  async updateConfiguration(name: string, input: Input): Promise<Record<string, unknown>> {
    const fn = this.deployed(name);
    checkRevision(fn, input);
    const settings = readSettings(input, this.options.roles, fn.settings);
    return this.replace(fn, { ...fn, settings });
  }

  async delete(name: string): Promise<void> {
    this.deployed(name);
    await this.options.store.delete(name);
    this.options.runtime.remove(name);
  }

  async addPermission(name: string, input: Input): Promise<string> {
    this.requireFunction(name);
    const statement = permissionStatement(input, functionArn(this.options.scope, name));
    const current = this.options.store.policy(name);
    const revisionId = optionalRevision(input);
    if (revisionId !== undefined && current && revisionId !== current.revisionId)
      throw revisionMismatch();
    const policy = addStatement(current?.policy, statement);
    await this.options.store.setPolicy(name, policy, randomUUID());
    return JSON.stringify(statement);
  }

  async removePermission(name: string, sid: string, revisionId?: string): Promise<void> {
    this.requireFunction(name);
    const current = this.options.store.policy(name);
    if (revisionId !== undefined && current && revisionId !== current.revisionId)
      throw revisionMismatch();
    const policy = removeStatement(current?.policy, sid);
    await this.options.store.setPolicy(name, policy, randomUUID());
  }

  getPolicy(name: string): { Policy: string; RevisionId: string } {
    this.requireFunction(name);
    const current = this.options.store.policy(name);
    if (!current)
      throw new LambdaError(
        'ResourceNotFoundException',
        'The resource you requested does not exist.',
      );
    return { Policy: current.policy, RevisionId: current.revisionId };
  }

  /** PutFunctionEventInvokeConfig (`replace`) or UpdateFunctionEventInvokeConfig. */
  async putEventInvokeConfig(
    name: string,
    input: Input,
    replace: boolean,
  ): Promise<Record<string, unknown>> {
    const fn = this.deployed(name);
    if (!replace && !fn.eventInvokeConfig) throw this.noEventInvokeConfig(name);
    const config = readEventInvokeConfig(
      input,
      replace ? undefined : fn.eventInvokeConfig,
      this.options,
      this.now(),
    );
    await this.replace(fn, { ...fn, eventInvokeConfig: config }, false);
    return eventInvokeConfigOf(name, config, this.options.scope);
  }

  getEventInvokeConfig(name: string): Record<string, unknown> {
    const fn = this.options.store.get(name);
    if (!fn) {
      this.requireFunction(name);
      throw this.noEventInvokeConfig(name);
    }
    if (!fn.eventInvokeConfig) throw this.noEventInvokeConfig(name);
    return eventInvokeConfigOf(name, fn.eventInvokeConfig, this.options.scope);
  }

  async deleteEventInvokeConfig(name: string): Promise<void> {
    const fn = this.deployed(name);
    if (!fn.eventInvokeConfig) throw this.noEventInvokeConfig(name);
    const { eventInvokeConfig: _, ...rest } = fn;
    await this.replace(fn, rest, false);
  }

  /** The runtime's definition of a deployed function. */
  private definitionOf(fn: StoredFunction): FunctionDefinition {
    const root = this.options.code.dirOf(fn.codeId);
    const { modulePath, exportName } = parseHandler(fn.settings.handler);
    // The Node.js runtime's order; a missing module fails at invocation, as on Lambda.
    const module =
      ['.js', '.mjs', '.cjs']
        .map((ext) => join(root, `${modulePath}${ext}`))
        .find((path) => existsSync(path)) ?? join(root, `${modulePath}.js`);
    const config: EventInvokeConfig | undefined = fn.eventInvokeConfig;
    return {
      name: fn.name,
      module,
      handler: exportName,
      codeRoot: root,
      role: fn.settings.role,
      timeoutSeconds: fn.settings.timeout,
      memoryMb: fn.settings.memorySize,
      reservedConcurrency: DEPLOYED_CONCURRENCY,
      environment: fn.settings.environment,
      ...(config?.maximumRetryAttempts !== undefined
        ? { maximumRetryAttempts: config.maximumRetryAttempts }
        : {}),
      ...(config?.maximumEventAgeInSeconds !== undefined
        ? { maximumEventAgeSeconds: config.maximumEventAgeInSeconds }
        : {}),
      ...(config?.onFailure ? { onFailure: config.onFailure.split(':').at(-1)! } : {}),
    };
  }

  /** Stores a changed function (a new revision) and applies it to the runtime. */
  private async replace(
    old: StoredFunction,
    changed: StoredFunction,
    touch = true,
  ): Promise<Record<string, unknown>> {
    const fn: StoredFunction = {
      ...changed,
      revisionId: randomUUID(),
      lastModified: touch ? this.now() : old.lastModified,
    };
    if (!(await this.options.store.replace(fn, old.revisionId)))
      throw new LambdaError(
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(this.options.scope, old.name)}`,
      );
    this.options.runtime.put(this.definitionOf(fn));
    return configurationOf(fn, this.options.scope);
  }

  /** A function deployed through the API (config-file functions cannot be changed). */
  private deployed(name: string): StoredFunction {
    const fn = this.options.store.get(name);
    if (fn) return fn;
    if (this.exists(name)) throw configFunction(name);
    throw this.notFound(name);
  }

  private requireFunction(name: string): void {
    if (!this.exists(name)) throw this.notFound(name);
  }

  private notFound(name: string): LambdaError {
    return functionNotFound(functionArn(this.options.scope, name));
  }

  private noEventInvokeConfig(name: string): LambdaError {
    return new LambdaError(
      'ResourceNotFoundException',
      `The function ${functionArn(this.options.scope, name)}:$LATEST doesn't have an EventInvokeConfig`,
    );
  }
}

function optionalRevision(input: Input): string | undefined {
  const value = input['RevisionId'];
  return typeof value === 'string' ? value : undefined;
}

function checkRevision(fn: StoredFunction, input: Input): void {
  const revisionId = optionalRevision(input);
  if (revisionId !== undefined && revisionId !== fn.revisionId) throw revisionMismatch();
}
