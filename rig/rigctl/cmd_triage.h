/* cmd_triage: `rigctl triage [--json] FILE...`, crash reports in console logs, offline. */
#ifndef RIGCTL_CMD_TRIAGE_H
#define RIGCTL_CMD_TRIAGE_H

/* argv[0] is "triage"; returns the exit code: 0 (with or without crashes), 2 on unreadable input. */
int cmd_triage(int argc, char **argv);

#endif
