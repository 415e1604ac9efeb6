import { randomUUID } from 'node:crypto';
import type {
  DestinationConfiguration,
  DestinationKind,
  NotificationConfiguration,
} from './types.js';

/** XML element names per destination kind, as S3's flattened lists spell them. */
const ELEMENTS: Record<DestinationKind, { list: string; arn: string }> = {
  queue: { list: 'QueueConfiguration', arn: 'Queue' },
  topic: { list: 'TopicConfiguration', arn: 'Topic' },
  lambda: { list: 'CloudFunctionConfiguration', arn: 'CloudFunction' },
};

type Node = Record<string, unknown>;

export class NotificationXmlError extends Error {}

/**
 * Reads the parsed `<NotificationConfiguration>` element into the stored shape. Ids are
 * generated where absent; filter rule names are stored as AWS returns them (`Prefix`,
 * `Suffix`). Throws NotificationXmlError (S3's MalformedXML) when the schema's required
 * parts are missing: the ARN, any Event, a FilterRule's Name or Value. Semantic validation
 * (event names, ARN syntax, overlaps) is `validateNotificationConfiguration`'s.
 */
export function notificationFromXml(root: Node): NotificationConfiguration {
  const destinations: DestinationConfiguration[] = [];
  for (const kind of Object.keys(ELEMENTS) as DestinationKind[]) {
    const { list, arn } = ELEMENTS[kind];
    // S3 accepts the newer LambdaFunctionConfiguration spelling as well.
    const nodes = [
      ...asList(root[list]),
      ...(kind === 'lambda' ? asList(root['LambdaFunctionConfiguration']) : []),
    ];
    for (const node of nodes) {
      const target =
        str(node[arn]) ?? (kind === 'lambda' ? str(node['LambdaFunctionArn']) : undefined);
      if (target === undefined) throw new NotificationXmlError(`${list} is missing ${arn}`);
      // Events are required by S3's schema; an Event element must hold text.
      const events = asList(node['Event']).map((e) => {
        const event = str(e);
        if (event === undefined) throw new NotificationXmlError(`${list} has a malformed Event`);
        return event;
      });
      if (events.length === 0) throw new NotificationXmlError(`${list} is missing Event`);
      const filterRules = asList(child(child(node, 'Filter'), 'S3Key')?.['FilterRule']).map(
        (rule) => {
          const name = str(rule['Name']);
          const value = str(rule['Value']);
          // A rule needs both elements; an empty Value (`<Value/>`) is present and accepted.
          if (name === undefined || value === undefined)
            throw new NotificationXmlError('FilterRule needs a Name and a Value');
          return { name: canonicalRuleName(name), value };
        },
      );
      destinations.push({
        kind,
        id: str(node['Id']) || generatedId(),
        arn: target,
        events,
        filterRules,
      });
    }
  }
  return { destinations, eventBridge: root['EventBridgeConfiguration'] !== undefined };
}

/** The `<NotificationConfiguration>` content for GetBucketNotificationConfiguration. */
export function notificationToXml(config: NotificationConfiguration): Node {
  const out: Node = {};
  for (const kind of Object.keys(ELEMENTS) as DestinationKind[]) {
    const { list, arn } = ELEMENTS[kind];
    const items = config.destinations.filter((d) => d.kind === kind);
    if (items.length === 0) continue;
    out[list] = items.map((d) => ({
      Id: d.id,
      [arn]: d.arn,
      Event: d.events,
      ...(d.filterRules.length > 0
        ? {
            Filter: {
              S3Key: { FilterRule: d.filterRules.map((r) => ({ Name: r.name, Value: r.value })) },
            },
          }
        : {}),
    }));
  }
  if (config.eventBridge) out['EventBridgeConfiguration'] = '';
  return out;
}

/** S3 assigns ids that are a UUID's text in base64 (as seen in ids AWS returns). */
function generatedId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

function child(node: Node | undefined, name: string): Node | undefined {
  const value = node?.[name];
  return typeof value === 'object' && value !== null ? (value as Node) : undefined;
}

function canonicalRuleName(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'prefix') return 'Prefix';
  if (lower === 'suffix') return 'Suffix';
  return name;
}

function asList(value: unknown): Node[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map((v) => (typeof v === 'object' && v !== null ? (v as Node) : { '#text': v }));
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && '#text' in value)
    return String((value as Node)['#text']);
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return '';
  return undefined;
}
