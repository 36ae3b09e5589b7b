/**
 * An XML Schema validator: libxml2's xmllint compiled to WebAssembly (xmllint-wasm), kept running in a
 * worker thread (./xmllint-thread.ts), so that neither the WebAssembly module nor the schema is compiled
 * per document: the module once per process, the schema once per run of `documentsPerRun` documents.
 *
 * Documents are checked one at a time, in order. A document that takes longer than `deadlineMs` (libxml2's
 * pattern matching is exponential on some values: a long run of spaces in a `(.|\s)*\S(.|\s)*` text) is
 * left `unjudged`: the thread is stopped and a new one takes the documents that were waiting. The deadline
 * counts from when the thread is ready for the document, not while a new thread starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ProblemError } from '../../domain/problem';
import type { XsdVerdict } from '../../domain/xml-schema';
import { xmllintVerdict } from './xmllint-output';
import { DOCUMENT_FILE, type DocumentMessage, type ThreadReport, type XmllintThreadData } from './xmllint-protocol';

export interface XmllintValidatorOptions {
  /** The time one document may take (default 5 s). */
  deadlineMs?: number;
  /** Documents checked per xmllint run, i.e. per compilation of the schema (default 500). */
  documentsPerRun?: number;
  /** WebAssembly memory limit in 64 KiB pages (default 4096: 256 MiB). */
  maxMemoryPages?: number;
}

interface Pending {
  id: number;
  bytes: Uint8Array;
  resolve(verdict: XsdVerdict): void;
  reject(error: Error): void;
}

let wasmModule: Promise<WebAssembly.Module> | undefined;
/** xmllint.wasm, compiled once per process and shared by every thread. */
const compiledXmllint = (): Promise<WebAssembly.Module> =>
  (wasmModule ??= WebAssembly.compile(readFileSync(require.resolve('xmllint-wasm/xmllint.wasm'))));

/**
 * The thread module: TypeScript run through tsx (npm start, the tests), or JavaScript once compiled
 * (npm run build: dist/, the Docker image). A worker does not inherit tsx's hooks, so a TypeScript
 * thread registers them first.
 */
function threadSource(): string {
  const file = path.join(__dirname, `xmllint-thread${path.extname(__filename)}`);
  const load = `require(${JSON.stringify(file)});`;
  return file.endsWith('.ts') ? `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register();${load}` : load;
}

const unavailable = (message: string): ProblemError => ProblemError.of('unavailable', 'transient', message);

const MAX_START_FAILURES = 3;
/** A thread not ready by then (its schema compiled) is given up: under heavy load a start takes seconds. */
const START_TIMEOUT_MS = 60_000;

export class XmllintValidator {
  private worker!: Worker;
  private documents!: MessagePort;
  private posted!: Int32Array;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private deadline: NodeJS.Timeout | undefined;
  private broken: Error | undefined;
  private closed = false;
  /** Whether the current thread reported `ready` (its schema compiled). */
  private threadReady = false;
  /** Threads that failed to start in a row; the validator gives up at MAX_START_FAILURES. */
  private startFailures = 0;
  private startWatchdog: NodeJS.Timeout | undefined;
  private readyWaiters: Array<{ resolve(): void; reject(error: Error): void }> = [];
  private readonly deadlineMs: number;
  private readonly documentsPerRun: number;
  private readonly maxMemoryPages: number;

  private constructor(
    private readonly schema: string,
    private readonly wasm: WebAssembly.Module,
    options: XmllintValidatorOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? 5_000;
    this.documentsPerRun = options.documentsPerRun ?? 500;
    this.maxMemoryPages = options.maxMemoryPages ?? 4096;
  }

  /** A validator for `schema` (the XSD's text), started: it resolves once the schema compiled, or throws. */
  static async start(schema: string, options: XmllintValidatorOptions = {}): Promise<XmllintValidator> {
    const validator = new XmllintValidator(schema, await compiledXmllint(), options);
    const ready = validator.ready();
    validator.spawn();
    await ready;
    return validator;
  }

  validate(document: Uint8Array): Promise<XsdVerdict> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(unavailable('the XML Schema validator is stopped'));
    return new Promise((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, bytes: document, resolve, reject };
      this.queue.push(pending);
      this.post(pending);
      this.worker.ref(); // keep the process alive while a document waits for its verdict
      if (this.queue.length === 1) this.armDeadline();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.deadline);
    clearTimeout(this.startWatchdog);
    for (const pending of this.queue.splice(0)) pending.reject(unavailable('the XML Schema validator was stopped'));
    await this.worker.terminate();
  }

  /** For good: every waiting and later call fails with `message`. */
  private fail(message: string): void {
    this.broken = new ProblemError('internal', [{ code: 'exception', message }]);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(this.broken);
    for (const pending of this.queue.splice(0)) pending.reject(this.broken);
    clearTimeout(this.deadline);
    clearTimeout(this.startWatchdog);
    this.worker.removeAllListeners();
    void this.worker.terminate();
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private spawn(): void {
    const { port1, port2 } = new MessageChannel();
    this.documents = port1;
    this.posted = new Int32Array(new SharedArrayBuffer(4));
    const data: XmllintThreadData = {
      wasm: this.wasm,
      schema: this.schema,
      documents: port2,
      posted: this.posted,
      documentsPerRun: this.documentsPerRun,
      maxMemoryPages: this.maxMemoryPages,
    };
    this.threadReady = false;
    const worker = new Worker(threadSource(), { eval: true, workerData: data, transferList: [port2] });
    this.worker = worker;
    worker.on('message', (report: ThreadReport) => this.onReport(report));
    // The thread failed (an exception outside xmllint) or ended: the document it held cannot be judged.
    worker.on('error', (error) => this.replaceWorker(worker, `the validator thread failed: ${error.message}`));
    worker.on('exit', () => this.replaceWorker(worker, 'the validator thread ended'));
    this.startWatchdog = setTimeout(
      () => this.replaceWorker(worker, `not ready after ${START_TIMEOUT_MS} ms`),
      START_TIMEOUT_MS,
    ).unref();
    // Referenced until it is ready, then only while documents wait (see onReport and settle).
    for (const pending of this.queue) this.post(pending);
  }

  private post(pending: Pending): void {
    const message: DocumentMessage = { id: pending.id, bytes: pending.bytes };
    this.documents.postMessage(message);
    Atomics.add(this.posted, 0, 1);
    Atomics.notify(this.posted, 0);
  }

  private onReport(report: ThreadReport): void {
    switch (report.type) {
      case 'ready':
        if (this.threadReady) return; // a new run of the same thread
        this.threadReady = true;
        this.startFailures = 0;
        clearTimeout(this.startWatchdog);
        if (this.queue.length === 0) this.worker.unref();
        else this.armDeadline();
        for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        return;
      case 'schema-failed':
        this.fail(`the XML Schema did not compile: ${report.lines.join(' ').slice(0, 500)}`);
        return;
      case 'done':
        this.settle(report.id, xmllintVerdict(DOCUMENT_FILE, report.lines));
        return;
      case 'aborted':
        // Out of memory or a trap: this document cannot be judged; the thread starts a new run.
        this.settle(report.id, { status: 'unjudged', reason: `xmllint stopped (${report.reason})` });
        return;
    }
  }

  /** The head of the queue is the document the thread is checking: its verdict, then the deadline of the next. */
  private settle(id: number, verdict: XsdVerdict): void {
    const head = this.queue[0];
    if (head?.id !== id) return; // a report of a thread already replaced
    this.queue.shift();
    clearTimeout(this.deadline);
    head.resolve(verdict);
    if (this.queue.length > 0) this.armDeadline();
    else this.worker.unref();
  }

  /** The deadline of the head of the queue; armed again by `ready` when the thread is starting. */
  private armDeadline(): void {
    if (!this.threadReady) return;
    const head = this.queue[0]!;
    const started = Date.now();
    this.deadline = setTimeout(() => {
      if (this.queue[0] !== head) return;
      this.queue.shift();
      head.resolve({ status: 'unjudged', reason: `xmllint did not finish within ${Date.now() - started} ms` });
      this.replaceWorker(this.worker, undefined);
    }, this.deadlineMs);
    this.deadline.unref();
  }

  /**
   * A new thread for the documents still waiting. `lost`: why the document the old thread held (the
   * head of the queue) gets no verdict; undefined when it was already settled.
   */
  private replaceWorker(old: Worker, lost: string | undefined): void {
    if (old !== this.worker || this.closed || this.broken) return;
    if (!this.threadReady) {
      // It held no document yet. The first thread, or one failing again and again, would keep failing.
      this.startFailures++;
      if (this.readyWaiters.length > 0 || this.startFailures >= MAX_START_FAILURES) {
        this.fail(`the validator thread did not start: ${lost ?? 'stopped'}`);
        return;
      }
    } else if (lost !== undefined) {
      this.queue.shift()?.reject(unavailable(`the XML Schema check failed: ${lost}`));
    }
    clearTimeout(this.deadline);
    clearTimeout(this.startWatchdog);
    old.removeAllListeners();
    void old.terminate();
    this.spawn();
  }
}
