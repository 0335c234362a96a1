import { agentHealthDashboard } from './agent-health';
import { bigqueryCostDashboard } from './bigquery-cost';
import { dataConsistencyDashboard } from './data-consistency';
import { idleWasteDashboard } from './idle-waste';
import { lambdaHealthDashboard } from './lambda-health';
import { redshiftHealthDashboard } from './redshift-health';

export interface GeneratedDashboard {
  /** File name inside the output folder (the dashboard's uid + `.json`). */
  file: string;
  json: unknown;
}

/** Sorted by file name; adding a dashboard = its module + one line here. */
const DASHBOARDS: (() => Record<string, unknown>)[] = [
  agentHealthDashboard,
  bigqueryCostDashboard,
  dataConsistencyDashboard,
  idleWasteDashboard,
  lambdaHealthDashboard,
  redshiftHealthDashboard,
];

export function generateDashboards(): GeneratedDashboard[] {
  return DASHBOARDS.map((build) => {
    const json = build();
    return { file: `${String(json.uid)}.json`, json };
  });
}
