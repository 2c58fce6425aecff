// Defaults the command line names before anything is loaded: kept apart so `--help` loads no parser.

/** The config file every command reads unless told otherwise. */
export const DEFAULT_CONFIG_FILE = './basewatch.yaml';
