/**
 * Sample output shown in docs/cli.md, in the exact layout the commands print
 * (IDs and times from the article's walkthrough of `nginx.job`).
 */
export const EXAMPLE_OUTPUT: Readonly<Record<string, string>> = {
  'job run': `==> 2026-11-26T01:02:03Z: Monitoring evaluation "52dee78a"
    2026-11-26T01:02:03Z: Evaluation triggered by job "nginx-minipot"
    2026-11-26T01:02:03Z: Allocation "636d3241" created: node "c375b833", group "group1"
    2026-11-26T01:02:03Z: Evaluation status changed: "pending" -> "complete"
==> 2026-11-26T01:02:03Z: Evaluation "52dee78a" finished with status "complete"
    2026-11-26T01:02:04Z: Allocation "636d3241" task "www1": Received: Task received by client
    2026-11-26T01:02:09Z: Allocation "636d3241" task "www1": Started: Task started by client
    2026-11-26T01:02:09Z: Allocation "636d3241" status "running"`,
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
