import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployedTable, deploymentHeader, deploymentList } from '../../src/cli/format/deployment.js';
import type { Deployment, DeploymentState } from '../../src/structs/index.js';

const state = (s: Partial<DeploymentState> = {}): DeploymentState => ({
  AutoRevert: false, AutoPromote: false, ProgressDeadline: 600e9, RequireProgressBy: 1_700_000_600e9, Promoted: false, PlacedCanaries: [],
  DesiredCanaries: 0, DesiredTotal: 3, PlacedAllocs: 1, HealthyAllocs: 0, UnhealthyAllocs: 0, ...s,
});

const deployment = (groups: Record<string, DeploymentState>): Deployment => ({
  ID: '62eb607c-0000-0000-0000-000000000000', Namespace: 'default', JobID: 'web', JobVersion: 1, JobModifyIndex: 5, JobCreateIndex: 2,
  Status: 'running', StatusDescription: 'Deployment is running', TaskGroups: groups, CreateIndex: 6, ModifyIndex: 7, CreateTime: 0, ModifyTime: 0,
});

test('the Deployed table has Nomad\'s columns, and Auto Revert / Promoted / Canaries only when a group uses them', () => {
  const plain = deployedTable(deployment({ web: state() }), () => 'T');
  assert.deepEqual(plain.split('\n').map((l) => l.split(/\s{2,}/)), [
    ['Task Group', 'Desired', 'Placed', 'Healthy', 'Unhealthy', 'Progress Deadline'],
    ['web', '3', '1', '0', '0', 'T'],
  ]);
  const rich = deployedTable(deployment({ web: state({ AutoRevert: true, DesiredCanaries: 1 }), api: state({ RequireProgressBy: 0 }) }), () => 'T');
  assert.deepEqual(rich.split('\n').map((l) => l.split(/\s{2,}/)), [
    ['Task Group', 'Auto Revert', 'Promoted', 'Desired', 'Canaries', 'Placed', 'Healthy', 'Unhealthy', 'Progress Deadline'],
    ['api', 'false', 'false', '3', '0', '1', '0', '0', '<none>'],
    ['web', 'true', 'false', '3', '1', '1', '0', '0', 'T'],
  ]);
});

test('header and list show short IDs unless asked otherwise', () => {
  const d = deployment({ web: state() });
  const short = (s: string): string => s.slice(0, 8);
  assert.match(deploymentHeader(d, short), /^ID\s+= 62eb607c\nJob ID\s+= web\nJob Version = 1\nStatus\s+= running\nDescription = Deployment is running$/);
  assert.match(deploymentList([d], short), /^ID\s+Job ID\s+Job Version\s+Status\s+Description\n62eb607c\s+web\s+1\s+running\s+Deployment is running$/);
});
