/**
 * The Emscripten module factory inside xmllint-wasm (libxml2's xmllint compiled to WebAssembly): the
 * package's own API starts a worker thread and compiles the module for every call, so
 * platform/xsd/xmllint-thread.ts drives the factory itself. Only what that thread uses is declared.
 */
declare module 'xmllint-wasm/xmllint-node.js' {
  interface XmllintModuleOptions {
    /** Files written to the in-memory file system before main() runs. */
    inputFiles: ReadonlyArray<{ fileName: string; contents: string | Uint8Array }>;
    /** xmllint's command line (argv without the program name). */
    arguments: readonly string[];
    print(line: string): void;
    printErr(line: string): void;
    onRuntimeInitialized?(): void;
    onExit?(code: number): void;
    onAbort?(reason: unknown): void;
    wasmMemory: WebAssembly.Memory;
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ): WebAssembly.Exports;
    /** Set by the factory on the options object itself once the runtime is up. */
    FS_createPath?(parent: string, path: string, canRead: boolean, canWrite: boolean): void;
    FS_createDevice?(parent: string, name: string, input: (() => number | null) | null, output: null): void;
    FS_createDataFile?(
      parent: string,
      name: string,
      data: Uint8Array,
      canRead: boolean,
      canWrite: boolean,
      canOwn: boolean,
    ): void;
    FS_unlink?(path: string): void;
  }
  const createXmllintModule: (options: XmllintModuleOptions) => Promise<unknown>;
  export = createXmllintModule;
}
