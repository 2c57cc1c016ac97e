/**
 * Training progress for `Trainer.train`: on a terminal, a bar redrawn in place after every
 * mini-batch; elsewhere (CI logs, files, browsers) one plain line per epoch.
 */
type Writer = { write(text: string): unknown; isTTY?: boolean };

function stdout(): Writer | null {
  const process = (globalThis as { process?: { stdout?: Writer } }).process;
  return process?.stdout ?? null;
}

const formatLoss = (x: number | null): string => (x === null ? "-" : x.toPrecision(5));
const formatRates = (rates: number[]): string => rates.map((r) => r.toPrecision(4)).join(",");

export class ProgressReporter {
  private readonly out = stdout();
  private readonly live = this.out?.isTTY === true;

  /** After each training mini-batch: redraws the bar (terminals only). */
  batch(epoch: number, done: number, total: number, loss: number): void {
    if (!this.live || !this.out) return;
    const width = 24;
    const filled = Number.isFinite(total) && total > 0 ? Math.round((done / total) * width) : 0;
    const bar = "=".repeat(filled) + " ".repeat(width - filled);
    this.out.write(
      `\repoch ${epoch} [${bar}] ${done}/${Number.isFinite(total) ? total : "?"} loss ${formatLoss(loss)}`,
    );
  }

  /** After each epoch: the epoch's summary line. */
  epoch(epoch: number, loss: number, valLoss: number | null, rates: number[]): void {
    const line = `epoch ${epoch}  loss ${formatLoss(loss)}  val_loss ${formatLoss(valLoss)}  lr ${formatRates(rates)}`;
    if (this.live && this.out) this.out.write(`\r${line}${" ".repeat(20)}\n`);
    else if (this.out) this.out.write(`${line}\n`);
    else console.log(line);
  }
}
