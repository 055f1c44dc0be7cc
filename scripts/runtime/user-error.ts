/**
 * An error whose message is meant for the person at the terminal: the runtime throws it for what a
 * user can fix (a missing file, a busy port); `recsys` prints it as one line (scripts/cli/lib).
 */
export class UserError extends Error {}
