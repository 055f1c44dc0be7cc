/** A priced quantity and a priced phase: the shape of every estimate the cost model returns. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  dollars: number;
}

export interface PhaseEstimate {
  wallSeconds: number;
  lines: CostLine[];
  dollars: number;
}

export const line = (
  item: string,
  quantity: number,
  unit: string,
  unitPrice: number,
): CostLine => ({
  item,
  quantity,
  unit,
  unitPrice,
  dollars: quantity * unitPrice,
});

export const phase = (wallSeconds: number, lines: CostLine[]): PhaseEstimate => ({
  wallSeconds,
  lines,
  dollars: lines.reduce((sum, l) => sum + l.dollars, 0),
});

/** GB-seconds, what Lambda bills: seconds at a memory size. */
export const gbSeconds = (seconds: number, memoryMb: number) => (seconds * memoryMb) / 1024;
