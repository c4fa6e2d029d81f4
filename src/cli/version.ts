/** The registry's release (package.json `version`): `registry --version`, `/version` headers, logs. */
export const VERSION = '0.1.0';
