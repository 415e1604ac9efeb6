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
 * `Suffix`). Semantic validation (event names, overlaps, destinations) is separate.
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
      const events = asList(node['Event']).map((e) => str(e) ?? '');
      const filter = node['Filter'] as Node | undefined;
      const s3Key = (filter?.['S3Key'] ?? undefined) as Node | undefined;
      const filterRules = asList(s3Key?.['FilterRule']).map((rule) => {
        const name = str(rule['Name']) ?? '';
        return { name: canonicalRuleName(name), value: str(rule['Value']) ?? '' };
      });
      destinations.push({
        kind,
        id: str(node['Id']) || randomUUID(),
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
