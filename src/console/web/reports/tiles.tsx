import type { ComponentChildren } from 'preact';
import type { ReportResponse } from '../../api-types.js';
import { formatCount, formatOptionalDuration, formatShare, formatUsd } from '../format.js';

function Tile(props: {
  title: string;
  testid: string;
  value: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="tile" data-testid={props.testid}>
      <dt>{props.title}</dt>
      <dd>
        <span class="tile-value">{props.value}</span>
        {props.children === undefined ? null : <span class="tile-note">{props.children}</span>}
      </dd>
    </div>
  );
}

function formatRatio(ratio: number): string {
  return `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`;
}

/** The headline numbers of the range. */
export function ReportTiles({ report }: { report: ReportResponse }) {
  const { totals, review, cost } = report;
  const ratio =
    cost.vigilPerImageUsd !== null && cost.vigilPerImageUsd > 0
      ? cost.rekognitionPerImageUsd / cost.vigilPerImageUsd
      : null;
  return (
    <dl class="tiles">
      <Tile title="Processed" testid="tile-processed" value={formatCount(totals.processed)} />
      <Tile title="Flagged" testid="tile-flagged" value={formatCount(totals.flagged)}>
        {totals.processed === 0
          ? null
          : `${formatShare(totals.flagged / totals.processed)} of processed`}
      </Tile>
      <Tile title="Review backlog" testid="tile-backlog" value={formatCount(review.backlog)}>
        {formatCount(review.decided)} decided in this range
      </Tile>
      <Tile
        title="Median time to decision"
        testid="tile-time-to-decision"
        value={formatOptionalDuration(review.medianTimeToDecisionMs)}
      >
        from flagging to a reviewer's decision
      </Tile>
      <Tile
        title="Cost per image"
        testid="tile-cost"
        value={`${formatUsd(cost.vigilPerImageUsd)} vs ${formatUsd(cost.rekognitionPerImageUsd)}`}
      >
        Vigil vs Rekognition
        {ratio === null || ratio < 1 ? '' : `: ${formatRatio(ratio)} cheaper`}
        <span class="basis" data-testid="cost-basis">
          {cost.basis}
        </span>
      </Tile>
    </dl>
  );
}
