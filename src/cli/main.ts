import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { startVigil } from '../app.js';
import { startWorker } from '../worker/start.js';
import {
  ConfigError,
  CREDENTIALS_FILE,
  loadConfig,
  readConfigFile,
  readStored,
  type ConfigFile,
} from '../config/index.js';
import {
  listDeadLetters,
  listWorkerDeadLetters,
  redriveDeadLetters,
  redriveWorkerDeadLetters,
} from './dlq.js';
import { printFunctionLogs } from './logs.js';
import { printReport } from './report.js';
import { CONSOLE_USERS_FILE, hashPassword, readStoredPasswords } from '../console/users.js';
import { runDemo } from './demo.js';
import { vigilCommand } from './hints.js';
import { moderateFiles } from './moderate.js';
import { evalCommand } from './eval.js';

/** The config file named by --config or VIGIL_CONFIG, if any. */
function configFile(path: string | undefined): ConfigFile | undefined {
  const chosen = path ?? process.env['VIGIL_CONFIG'];
  return chosen ? readConfigFile(chosen) : undefined;
}

const configOption = () =>
  new Option(
    '-c, --config <file>',
    'JSON config file: queues, topics, webhooks, delivery, … (env VIGIL_CONFIG)',
  );
const dataDirOption = () =>
  new Option('-d, --data-dir <dir>', 'data directory (env VIGIL_DATA_DIR)').default(
    undefined,
    './data',
  );

const program = new Command();

program
  .name('vigil')
  .description(
    'Vigil: an S3-compatible object store with reliable event notifications and built-in image moderation.\n' +
      "Point the aws CLI or any AWS SDK at it: S3, SQS and Rekognition's DetectModerationLabels on one port.",
  )
  .version('0.1.0')
  .showHelpAfterError();

program
  .command('serve')
  .summary('Start Vigil: S3, notifications, queues, functions, moderation, console and gate.')
  .description(
    'Start Vigil, everything on one port:\n' +
      '  - the S3 API (path- and virtual-host-style);\n' +
      '  - S3 event notifications, recorded in the same transaction as the object\n' +
      '    change and delivered, with retries, to queues, topics, webhooks and\n' +
      '    functions;\n' +
      '  - SQS-compatible queues (JSON and query protocols);\n' +
      '  - Lambda-style functions: those in the config file, and the built-in\n' +
      '    moderate-image;\n' +
      '  - the moderation pipeline: moderate-image judges uploaded images (out of the\n' +
      "    box, content/images/*.jpg in the seed bucket 'uploads') with the configured\n" +
      '    moderator (the bundled model by default), tags what it blocks\n' +
      '    BlockedContent=true, sends review messages and records each verdict;\n' +
      "  - Rekognition's DetectModerationLabels, answered by the same moderator;\n" +
      '  - the moderator console at /_vigil/console/;\n' +
      '  - the public gate: GET /_vigil/public/<bucket>/<key> without credentials,\n' +
      '    withholding what moderation blocked (in closed mode, whatever it has not\n' +
      '    cleared);\n' +
      '  - the admin API (/_vigil/admin/) and Prometheus metrics (/_vigil/metrics).',
  )
  .addOption(
    new Option('-p, --port <port>', 'port to listen on (env VIGIL_PORT)').default(
      undefined,
      '9000',
    ),
  )
  .addOption(
    new Option('--host <host>', 'address to bind (env VIGIL_HOST)').default(undefined, '0.0.0.0'),
  )
  .addOption(
    new Option(
      '-d, --data-dir <dir>',
      'where objects and metadata live (env VIGIL_DATA_DIR)',
    ).default(undefined, './data'),
  )
  .addOption(
    new Option('--region <region>', 'the region Vigil reports (env VIGIL_REGION)').default(
      undefined,
      'us-east-1',
    ),
  )
  .addOption(configOption())
  .addOption(
    new Option(
      '--log-level <level>',
      'fatal|error|warn|info|debug|trace|silent (env VIGIL_LOG_LEVEL)',
    ).default(undefined, 'info'),
  )
  .addHelpText(
    'after',
    '\nRoot credentials come from VIGIL_ACCESS_KEY_ID and VIGIL_SECRET_ACCESS_KEY; when unset, a key pair\n' +
      'is generated on first start, stored in <data-dir>/credentials.json (mode 0600) and printed once.\n' +
      'Console users declared without a passwordHash get a generated password, stored in\n' +
      '<data-dir>/console-users.json (mode 0600) and printed once. Root logs in to the console too.\n' +
      'Readiness: GET /_vigil/health answers 200. SIGTERM or Ctrl-C drains in-flight requests and exits.',
  )
  .action(
    async (opts: {
      port?: string;
      host?: string;
      dataDir?: string;
      region?: string;
      logLevel?: string;
      config?: string;
    }) => {
      const config = loadConfig(
        {
          port: opts.port,
          host: opts.host,
          dataDir: opts.dataDir,
          region: opts.region,
          logLevel: opts.logLevel,
        },
        process.env,
        configFile(opts.config),
      );
      const vigil = await startVigil(config);
      const { credentials } = vigil;
      if (credentials.source === 'generated') {
        process.stdout.write(
          `\nGenerated root credentials (saved to ${credentials.file}, mode 0600; shown only this once):\n` +
            `  export AWS_ACCESS_KEY_ID=${credentials.accessKeyId}\n` +
            `  export AWS_SECRET_ACCESS_KEY=${credentials.secretAccessKey}\n` +
            `  export AWS_DEFAULT_REGION=${config.region}\n` +
            `Print them again with: ${vigilCommand('credentials', config.dataDir)}\n\n`,
        );
      }
      if (vigil.consolePasswords.length > 0) {
        process.stdout.write(
          `Generated console passwords (saved to ${join(config.dataDir, CONSOLE_USERS_FILE)}, mode 0600):\n` +
            vigil.consolePasswords.map((p) => `  ${p.name}: ${p.password}\n`).join('') +
            `Print them again with: ${vigilCommand('credentials --console', config.dataDir)}\n\n`,
        );
      }
      process.stdout.write(
        `Console: ${vigil.url}/_vigil/console/ (log in as root: access key id + secret access key)\n`,
      );
      vigil.logger.info(
        {
          url: vigil.url,
          dataDir: config.dataDir,
          region: config.region,
          credentials: credentials.source,
        },
        `Vigil is listening on port ${vigil.port}`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        vigil.logger.info({ signal }, 'draining in-flight requests, then exiting');
        vigil.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            vigil.logger.error({ err: error }, 'error during shutdown');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
  );

program
  .command('worker')
  .description(
    'Take S3 event notifications from a broker (NATS JetStream) and moderate them, reaching objects through any S3 endpoint and sharing state in PostgreSQL (docs/scale-out.md).',
  )
  .addOption(configOption())
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
  .addHelpText(
    'after',
    "\nThe config file's `worker` section names the source, the S3 and SQS endpoints and the\n" +
      'health port; `reporting.url` must be a postgres:// URL. Credentials for S3 and SQS come\n' +
      'from the AWS environment (AWS_ACCESS_KEY_ID, …). SIGTERM finishes or releases work in hand.',
  )
  .action(async (opts: { config?: string; logLevel?: string }) => {
    const config = loadConfig({ logLevel: opts.logLevel }, process.env, configFile(opts.config));
    const logger = pino({ level: config.logLevel });
    const worker = await startWorker(config, logger);
    logger.info({ health: `${worker.url}/_vigil/health` }, `Vigil worker is running`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'finishing or releasing work in hand, then exiting');
      worker.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error during shutdown');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program
  .command('credentials')
  .description(
    'Print the root access key pair (from the environment, or the data directory), as lines ' +
      "for `export $(npx vigil credentials)`; with --console, the console users' generated " +
      'passwords instead.',
  )
  .addOption(
    new Option('-d, --data-dir <dir>', 'data directory (env VIGIL_DATA_DIR)').default(
      undefined,
      './data',
    ),
  )
  .option('--console', "print the console users' generated passwords (name: password)")
  .action(async (opts: { dataDir?: string; console?: boolean }) => {
    const config = loadConfig({ dataDir: opts.dataDir });
    if (opts.console) {
      const passwords = await readStoredPasswords(join(config.dataDir, CONSOLE_USERS_FILE));
      const lines = Object.entries(passwords).map(([name, password]) => `${name}: ${password}\n`);
      process.stdout.write(lines.length > 0 ? lines.join('') : 'No generated console passwords.\n');
      return;
    }
    const creds =
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : await readStored(join(config.dataDir, CREDENTIALS_FILE));
    if (!creds) {
      throw new ConfigError(
        `No credentials yet in ${config.dataDir}: start Vigil once to generate them: ${vigilCommand('serve', config.dataDir)}`,
      );
    }
    process.stdout.write(
      `AWS_ACCESS_KEY_ID=${creds.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}\n`,
    );
  });

const consoleUser = program
  .command('console-user')
  .description('Console users (declared in the config file under console.users).');

consoleUser
  .command('hash')
  .description(
    'Read a password on stdin and print its hash for console.users[].passwordHash in the config file.',
  )
  .action(async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
    const password = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (password.length < 12) throw new ConfigError('Choose a password of at least 12 characters.');
    process.stdout.write(`${await hashPassword(password)}\n`);
  });

program
  .command('report')
  .description(
    'Export tracking records (or, with --audit, the audit log) for a date range, as CSV or JSON.',
  )
  .addOption(dataDirOption())
  .addOption(configOption())
  .option(
    '--from <date>',
    'start (ISO 8601 date or time, UTC), included; default 7 days before --to',
  )
  .option('--to <date>', 'end (ISO 8601), excluded; default now')
  .addOption(
    new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv'),
  )
  .option('--audit', 'the audit log instead of the tracking records')
  .action(
    async (opts: {
      dataDir?: string;
      config?: string;
      from?: string;
      to?: string;
      format: 'csv' | 'json';
      audit?: boolean;
    }) => {
      const config = loadConfig({ dataDir: opts.dataDir }, process.env, configFile(opts.config));
      await printReport(
        { dataDir: config.dataDir, url: config.reporting.url, schema: config.reporting.schema },
        { from: opts.from, to: opts.to, format: opts.format, audit: opts.audit ?? false },
        (text) => process.stdout.write(text),
      );
    },
  );

const dlq = program
  .command('dlq')
  .description(
    'Dead letters: events that could not be delivered (permanent failure, or out of retries).',
  );

const workerOption = () =>
  new Option(
    '--worker',
    "the dead letters of the config's worker event source (JetStream <stream>_DLQ, or the SQS deadLetterQueueUrl) instead of the outbox's",
  );

dlq
  .command('list')
  .description('List dead letters, oldest first, with where they were going and why they failed.')
  .addOption(dataDirOption())
  .addOption(configOption())
  .addOption(workerOption())
  .option('--destination <arn>', 'only this destination')
  .option('--json', 'print JSON, with each event message')
  .action(
    async (opts: {
      dataDir?: string;
      config?: string;
      destination?: string;
      json?: boolean;
      worker?: boolean;
    }) => {
      const config = loadConfig({ dataDir: opts.dataDir }, process.env, configFile(opts.config));
      const write = (text: string) => process.stdout.write(text);
      if (opts.worker) {
        await listWorkerDeadLetters(config.worker, opts.json ?? false, write);
        return;
      }
      listDeadLetters(
        config.dataDir,
        opts.destination === undefined ? {} : { destination: opts.destination },
        opts.json ?? false,
        write,
      );
    },
  );

dlq
  .command('redrive')
  .description('Put dead letters back in line for delivery (attempts and age start again).')
  .addOption(dataDirOption())
  .addOption(configOption())
  .addOption(workerOption())
  .option('--id <ids...>', 'only these dead letters (ids from `vigil dlq list`)')
  .option('--destination <arn>', 'only this destination')
  .option('--all', 'every dead letter')
  .action(
    async (opts: {
      dataDir?: string;
      config?: string;
      id?: string[];
      destination?: string;
      all?: boolean;
      worker?: boolean;
    }) => {
      if (!opts.all && opts.id === undefined && opts.destination === undefined)
        throw new ConfigError(
          'Say which dead letters to redrive: --id N…, --destination ARN, or --all.',
        );
      const config = loadConfig({ dataDir: opts.dataDir }, process.env, configFile(opts.config));
      if (opts.worker) {
        if (opts.destination !== undefined)
          throw new ConfigError(
            '--destination is for the outbox: a worker source has one destination, itself.',
          );
        const count = await redriveWorkerDeadLetters(config.worker, opts.all ? 'all' : opts.id!);
        process.stdout.write(`Redrove ${count} dead letter(s).\n`);
        return;
      }
      const ids = opts.id?.map((id) => {
        if (!/^\d+$/.test(id)) throw new ConfigError(`Invalid --id ${id}: expected a number`);
        return Number(id);
      });
      const count = redriveDeadLetters(config.dataDir, {
        ...(ids ? { ids } : {}),
        ...(opts.destination === undefined ? {} : { destination: opts.destination }),
      });
      process.stdout.write(`Redrove ${count} dead letter(s).\n`);
    },
  );

program
  .command('logs')
  .description(
    "A function's most recent invocations, printed oldest first like `tail` (the newest ends the output), as Lambda prints them (START / END / REPORT).",
  )
  .argument('<function>', 'function name: moderate-image, or one declared in the config file')
  .addOption(dataDirOption())
  .addOption(configOption())
  .option('-n, --limit <n>', 'how many of the most recent invocations', '20')
  .option('--request-id <id>', 'only this invocation')
  .option('--json', 'print JSON')
  .action(
    (
      name: string,
      opts: {
        dataDir?: string;
        config?: string;
        limit: string;
        requestId?: string;
        json?: boolean;
      },
    ) => {
      if (!/^[1-9]\d*$/.test(opts.limit))
        throw new ConfigError(
          `Invalid --limit ${opts.limit}: expected a whole number of 1 or more`,
        );
      const config = loadConfig({ dataDir: opts.dataDir }, process.env, configFile(opts.config));
      printFunctionLogs(
        config.dataDir,
        name,
        {
          limit: Number(opts.limit),
          ...(opts.requestId === undefined ? {} : { requestId: opts.requestId }),
          json: opts.json ?? false,
        },
        (text) => process.stdout.write(text),
      );
    },
  );

program
  .command('moderate')
  .description(
    "Classify local image files with the bundled models (and the config's own, moderation.models) and print the labels, as DetectModerationLabels would.",
  )
  .argument('<files...>', 'image files (JPEG, PNG, WebP, AVIF, GIF)')
  .option('--json', "print JSON in Rekognition's response shape")
  .option('--min-confidence <n>', 'hide labels below this confidence (0-100)', '50')
  .addOption(dataDirOption())
  .addOption(configOption())
  .addHelpText(
    'after',
    '\nWhen the data directory exists, the NSFWJS model converted to ONNX is kept in its models/\n' +
      "folder (shared with 'vigil serve'); otherwise NSFWJS runs on the slower tfjs-wasm runtime.",
  )
  .action(
    async (
      files: string[],
      opts: { json?: boolean; minConfidence: string; dataDir?: string; config?: string },
    ) => {
      const { dataDir, moderation } = loadConfig(
        { dataDir: opts.dataDir },
        process.env,
        configFile(opts.config),
      );
      const code = await moderateFiles(
        files,
        {
          json: opts.json ?? false,
          minConfidence: Number(opts.minConfidence),
          ...(existsSync(dataDir) ? { modelCacheDir: join(dataDir, 'models') } : {}),
          customModels: moderation.models,
        },
        (text) => process.stdout.write(text),
      );
      process.exitCode = code;
    },
  );

program.addCommand(evalCommand(configOption()));

program
  .command('demo')
  .description(
    'Upload the sample images to the running Vigil (seed scenario) and print how each was judged.',
  )
  .addOption(dataDirOption())
  .addOption(configOption())
  .option('--endpoint <url>', 'where Vigil listens', 'http://localhost:9000')
  .action(async (opts: { dataDir?: string; config?: string; endpoint: string }) => {
    const config = loadConfig({ dataDir: opts.dataDir }, process.env, configFile(opts.config));
    const credentials =
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : await readStored(join(config.dataDir, CREDENTIALS_FILE));
    if (!credentials)
      throw new ConfigError(
        `No credentials in ${config.dataDir}: start Vigil there first: ${vigilCommand('serve', config.dataDir)}`,
      );
    process.exitCode = await runDemo(
      {
        endpoint: opts.endpoint,
        region: config.region,
        dataDir: config.dataDir,
        reportsUrl: config.reporting.url,
        reportsSchema: config.reporting.schema,
        credentials,
      },
      (text) => process.stdout.write(text),
    );
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
