/**
 * The part of the WebAssembly JavaScript API platform/xsd uses. Node has the API, but its types ship only
 * in TypeScript's DOM and webworker libs, which this project does not load.
 */
declare namespace WebAssembly {
  class Module {
    private readonly brand: 'WebAssembly.Module';
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number });
    readonly buffer: ArrayBuffer;
  }
  type Imports = Record<string, Record<string, unknown>>;
  type Exports = Record<string, unknown>;
  function compile(bytes: Uint8Array): Promise<Module>;
}
