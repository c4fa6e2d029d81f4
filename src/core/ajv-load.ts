import { createRequire } from 'node:module';
import type { Ajv, _ as codegen, str as codegenStr } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type formatsPlugin from 'ajv-formats';

/** What the schema compiler uses of ajv and ajv-formats. */
export interface AjvLib {
  readonly Ajv: typeof Ajv;
  readonly Ajv2020: typeof Ajv2020;
  readonly addFormats: (ajv: Ajv) => unknown;
  readonly _: typeof codegen;
  readonly str: typeof codegenStr;
}

let lib: AjvLib | undefined;

/**
 * ajv and ajv-formats, loaded on the first compile: importing them costs ~140 ms (measured on
 * the 2-core bench machine), which every CLI command and every `registry serve` start would
 * pay (SPEC §10 start-to-ready) though most never compile a schema. Both are CommonJS.
 */
export function ajvLib(): AjvLib {
  if (lib === undefined) {
    const require = createRequire(import.meta.url);
    const core = require('ajv') as { Ajv: typeof Ajv; _: typeof codegen; str: typeof codegenStr };
    const d2020 = require('ajv/dist/2020') as { Ajv2020: typeof Ajv2020 };
    const formats = require('ajv-formats') as typeof formatsPlugin & { default?: typeof formatsPlugin };
    const plugin = (formats.default ?? formats) as unknown as (ajv: Ajv) => unknown;
    lib = { Ajv: core.Ajv, Ajv2020: d2020.Ajv2020, addFormats: plugin, _: core._, str: core.str };
  }
  return lib;
}
