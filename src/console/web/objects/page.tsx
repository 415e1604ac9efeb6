/** Find an object, then read its story: `#/objects?bucket=b&prefix=p`, `#/objects?bucket=b&key=k`. */
import type { PageProps } from '../shell.js';
import { routeHref } from '../router.js';
import { ObjectSearch } from './search.js';
import { Timeline } from './timeline.js';

export function ObjectsPage({ route }: PageProps) {
  const bucket = route.params.get('bucket') ?? '';
  const prefix = route.params.get('prefix') ?? '';
  const key = route.params.get('key');
  if (key !== null && bucket !== '') {
    return (
      <Timeline
        bucket={bucket}
        objectKey={key}
        backHref={routeHref('objects', { bucket, prefix })}
      />
    );
  }
  return <ObjectSearch bucket={bucket} prefix={prefix} />;
}
