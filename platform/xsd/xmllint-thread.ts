/**
 * The worker thread of platform/xsd/xmllint-validator.ts: runs libxml2's xmllint (WebAssembly) as
 *   xmllint --schema /schema.xsd --noout /s/0 /doc.xml /s/1 /doc.xml … /s/<n>
 * so that the schema is compiled once per run of `documentsPerRun` documents, not once per document.
 * Each `/s/<k>` is a device whose first read marks the end of the document before it: the thread then
 * reports what xmllint wrote about that document, blocks (Atomics.wait) until the main thread posts the
 * next one, writes it to /doc.xml and lets xmllint go on. xmllint reports on the tiny `/s/<k>`
 * documents too; those lines, named /s/<k>, are dropped.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import createXmllintModule from 'xmllint-wasm/xmllint-node.js';
import { DOCUMENT_FILE, type DocumentMessage, type ThreadReport, type XmllintThreadData } from './xmllint-protocol';

/** `/s/<k>`: the k-th boundary of a run, before its k-th document (and one after the last). */
const SENTINELS = '/s';
const SENTINEL_BYTES = Uint8Array.from(Buffer.from('<s/>'));

const data = workerData as XmllintThreadData;
const report = (message: ThreadReport): void => parentPort!.postMessage(message);

/** The next document, blocking the thread until one is posted. */
function nextDocument(): DocumentMessage {
  for (;;) {
    // Read the counter first: a document posted after the receive below changes it, so the wait returns.
    const posted = Atomics.load(data.posted, 0);
    const received = receiveMessageOnPort(data.documents);
    if (received) return received.message as DocumentMessage;
    Atomics.wait(data.posted, 0, posted);
  }
}

function run(): void {
  const args = ['--schema', '/schema.xsd', '--noout', `${SENTINELS}/0`];
  for (let k = 1; k <= data.documentsPerRun; k++) args.push(DOCUMENT_FILE, `${SENTINELS}/${k}`);
  let lines: string[] = [];
  /** The document xmllint is checking, until its report is sent. */
  let inFlight: number | undefined;
  let boundaries = 0;
  let schemaFailed = false;

  const module: Parameters<typeof createXmllintModule>[0] = {
    inputFiles: [{ fileName: 'schema.xsd', contents: data.schema }],
    arguments: args,
    print: () => undefined,
    printErr: (line) => {
      if (!line.startsWith(`${SENTINELS}/`)) lines.push(line);
    },
    onRuntimeInitialized: () => {
      module.FS_createPath!('/', SENTINELS.slice(1), true, true);
      for (let k = 0; k <= data.documentsPerRun; k++) module.FS_createDevice!(SENTINELS, String(k), sentinel(k), null);
    },
    onExit: () => {
      if (schemaFailed) return;
      if (inFlight !== undefined) report({ type: 'done', id: inFlight, lines });
      else if (boundaries === 0) report({ type: 'schema-failed', lines });
      setImmediate(run);
    },
    onAbort: (reason) => {
      if (inFlight !== undefined) report({ type: 'aborted', id: inFlight, reason: String(reason) });
      else if (boundaries === 0) report({ type: 'schema-failed', lines: [...lines, String(reason)] });
      setImmediate(run);
    },
    wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: data.maxMemoryPages }),
    instantiateWasm: (imports, done) => {
      const instance = new WebAssembly.Instance(data.wasm, imports);
      done(instance, data.wasm);
      return instance.exports;
    },
  };

  /** The reader of /s/<k>: its first read reports the document before it and installs the next one. */
  function sentinel(k: number): () => number | null {
    let offset = 0;
    return () => {
      if (offset === 0) boundary(k);
      return offset < SENTINEL_BYTES.length ? SENTINEL_BYTES[offset++]! : null;
    };
  }

  function boundary(k: number): void {
    boundaries++;
    if (k === 0 && lines.some((line) => /failed to compile/.test(line))) {
      // xmllint would go on without the schema, only parsing: this thread is done, the main thread stops it.
      schemaFailed = true;
      report({ type: 'schema-failed', lines });
      return;
    }
    if (schemaFailed) return;
    report(inFlight === undefined ? { type: 'ready' } : { type: 'done', id: inFlight, lines });
    inFlight = undefined;
    lines = [];
    if (k === data.documentsPerRun) return; // the run's last boundary: main() ends, the next run waits
    const next = nextDocument();
    if (k > 0) module.FS_unlink!(DOCUMENT_FILE);
    module.FS_createDataFile!('/', DOCUMENT_FILE.slice(1), next.bytes, true, false, false);
    inFlight = next.id;
  }

  void createXmllintModule(module).catch(() => undefined); // failures arrive through onAbort
}

run();
