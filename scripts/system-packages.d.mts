/** Types of scripts/system-packages.mjs for the TypeScript tests (test/helpers/require-tool.ts). */
export interface SystemPackage {
  /** A command looked up on PATH, or an absolute path that must exist (file or directory). */
  readonly check: string;
  /** The Debian package that provides it. */
  readonly pkg: string;
  readonly scope: 'test' | 'ci';
  readonly why: string;
}
export declare const LIST: string;
export declare class SystemPackagesError extends Error {}
export declare function readSystemPackages(file?: string): SystemPackage[];
export declare function isPresent(check: string): boolean;
export declare function missingPackages(
  scopes?: readonly string[],
  entries?: readonly SystemPackage[],
): SystemPackage[];
export declare function ensureSystemPackages(
  scopes?: readonly string[],
  log?: (line: string) => void,
  entries?: readonly SystemPackage[],
): string[];
