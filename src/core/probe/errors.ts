// Errors shared by the probe modules (kept apart so they import no module that imports them).

/** Bad input from the caller (URL, proxy URL): the CLI turns it into a usage error, exit 2. */
export class ProbeUsageError extends Error {}
