/**
 * A worker process's stderr on its way to the user's: cut into lines, less those `quiet` matches
 * (a native library's own logging), each line passed on whole. The last few lines, quiet ones
 * too, are kept: when the process dies, they say why.
 */
export class QuietLines {
  readonly #write: (text: string) => void;
  readonly #quiet: RegExp | undefined;
  readonly #keep: number;
  readonly #last: string[] = [];
  #partial = '';

  constructor(write: (text: string) => void, quiet?: RegExp, keep = 5) {
    this.#write = write;
    this.#quiet = quiet;
    this.#keep = keep;
  }

  /** The last lines written, oldest first, the quiet ones included (an unfinished last line too). */
  get last(): string[] {
    return this.#partial === '' ? [...this.#last] : [...this.#last, this.#partial].slice(-this.#keep);
  }

  write(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    // The text after the last newline waits for the rest of its line.
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line);
  }

  /** The stream ended: a last line without its newline is passed on as it is. */
  end(): void {
    if (this.#partial === '') return;
    const line = this.#partial;
    this.#partial = '';
    this.#line(line, '');
  }

  #line(line: string, newline = '\n'): void {
    this.#last.push(line);
    if (this.#last.length > this.#keep) this.#last.shift();
    // A CRLF line is matched without its CR.
    if (this.#quiet?.test(line.replace(/\r$/, ''))) return;
    this.#write(line + newline);
  }
}
