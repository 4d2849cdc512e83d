/**
 * Sample output shown in docs/cli.md. `alloc status`, `job allocs` and
 * `job plan` are checked by tests against the formatters (IDs and times from
 * the article's walkthrough of `nginx.job`); the placement failure, `job
 * status` and `status` samples were copied from a `kiln agent -dev` run.
 */
export const EXAMPLE_OUTPUT: Readonly<Record<string, string>> = {
  'job run': `$ kiln job run nginx.job
==> 2026-11-26T01:02:03Z: Monitoring evaluation "52dee78a"
    2026-11-26T01:02:03Z: Evaluation triggered by job "nginx-minipot"
    2026-11-26T01:02:03Z: Allocation "636d3241" created: node "c375b833", group "group1"
    2026-11-26T01:02:03Z: Evaluation status changed: "pending" -> "complete"
==> 2026-11-26T01:02:03Z: Evaluation "52dee78a" finished with status "complete"
    2026-11-26T01:02:04Z: Allocation "636d3241" task "www1": Received: Task received by client
    2026-11-26T01:02:09Z: Allocation "636d3241" task "www1": Started: Task started by client
    2026-11-26T01:02:09Z: Allocation "636d3241" status "running"

$ kiln job run big.job        # memory = 9999999: cannot fit, exit code 2
==> 2026-11-26T00:49:13Z: Monitoring evaluation "8bd7eb91"
    2026-11-26T00:49:13Z: Evaluation triggered by job "big"
    2026-11-26T00:49:13Z: Evaluation status changed: "pending" -> "complete"
==> 2026-11-26T00:49:13Z: Evaluation "8bd7eb91" finished with status "complete" but failed to place all allocations:
    2026-11-26T00:49:13Z:   Task Group "web" (failed to place 1 allocation):
    2026-11-26T00:49:13Z:     * Resources exhausted on 1 nodes
    2026-11-26T00:49:13Z:     * Dimension "memory" exhausted on 1 nodes
    2026-11-26T00:49:13Z: Evaluation "9448a837" waiting for additional capacity to place remainder`,
  'job status': `ID          = big
Name        = big
Submit Date = 2026-11-26T00:49:13Z
Type        = service
Priority    = 50
Datacenters = minipot
Namespace   = default
Status      = pending
Version     = 0

Summary
Task Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown
web         1       0         0        0       0         0     0

Placement Failure
Task Group "web" (failed to place 1 allocation):
  * Resources exhausted on 1 nodes
  * Dimension "memory" exhausted on 1 nodes

Allocations
No allocations placed`,
  status: `Leader  = 127.0.0.1:4646
Servers = 1
Nodes   = 1 ready
Jobs    = 1 pending, 1 running

ID   Type     Priority  Status   Submit Date
big  service  50        pending  2026-11-26T00:49:13Z
web  service  50        running  2026-11-26T00:47:20Z`,
  'job allocs': `ID        Node ID   Task Group  Version  Desired  Status   Created     Modified
636d3241  c375b833  group1      3        run      running  28m43s ago  28m27s ago`,
  'alloc status': `ID                  = 636d3241
Eval ID             = 52dee78a
Name                = nginx-minipot.group1[0]
Node ID             = c375b833
Node Name           = minipot
Job ID              = nginx-minipot
Job Version         = 3
Client Status       = running
Client Description  = Tasks are running
Desired Status      = run
Desired Description = <none>
Created             = 28m43s ago
Modified            = 28m27s ago

Allocation Addresses (mode = "host"):
Label  Dynamic  Address
*http  yes      127.0.0.1:22854 -> 80

Task "www1" is "running"
Task Resources:
CPU      Memory
200 MHz  64 MiB

Task Events:
Started At     = 2026-11-26T01:02:09Z
Finished At    = N/A
Total Restarts = 0
Last Restart   = N/A

Recent Events:
Time                  Type        Description
2026-11-26T01:02:09Z  Started     Task started by client
2026-11-26T01:02:04Z  Task Setup  Building Task Directory
2026-11-26T01:02:04Z  Received    Task received by client`,
  'node status': `ID        Node Pool  DC       Name     Class   Drain  Eligibility  Status
c375b833  default    minipot  minipot  <none>  false  eligible     ready`,
  'job plan': `+/- Job: "nginx-minipot"
+/- Task Group: "group1" (1 create, 1 ignore)

Scheduler dry-run:
- All tasks successfully allocated.

Job Modify Index: 7
To submit the job run:

kiln job run nginx.job`,
};
