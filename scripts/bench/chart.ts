/**
 * The benchmarks' one SVG chart: side-by-side panels, each with one or more series of (x, y) points
 * (x counts things: whole-number ticks), linear axes from zero, a legend and a caption. Enough for
 * "time vs workers" or "GFLOP/s vs rank" without a charting dependency.
 */
export interface ChartSeries {
  readonly label: string;
  readonly points: readonly { x: number; y: number }[];
  /** Dashed: a reference line such as ideal scaling. */
  readonly dashed?: boolean;
}

export interface ChartPanel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const PANEL_W = 460;
const PANEL_H = 320;
const MARGIN = { left: 62, right: 16, top: 34, bottom: 48 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Round axis maximum and tick step (1, 2 or 5 × 10^k; whole numbers on count axes). */
function niceScale(max: number, integer = false): { top: number; step: number } {
  const raw = max > 0 ? max / 5 : 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const step = integer ? Math.max(1, Math.round(nice)) : nice;
  return { top: Math.ceil(max / step) * step || step, step };
}

function panelSvg(panel: ChartPanel, offsetX: number, colorOffset: number): string {
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const all = panel.series.flatMap((s) => s.points);
  const xs = niceScale(Math.max(...all.map((p) => p.x)), true);
  const ys = niceScale(Math.max(...all.map((p) => p.y)));
  const px = (x: number) => MARGIN.left + (x / xs.top) * w;
  const py = (y: number) => MARGIN.top + h - (y / ys.top) * h;
  const out: string[] = [`<g transform="translate(${offsetX},0)">`];
  out.push(
    `<text x="${PANEL_W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`,
  );
  for (let v = 0; v <= ys.top + 1e-9; v += ys.step) {
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
    );
    out.push(
      `<text x="${MARGIN.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${+v.toPrecision(3)}</text>`,
    );
  }
  for (let v = 0; v <= xs.top + 1e-9; v += xs.step) {
    out.push(
      `<text x="${px(v)}" y="${MARGIN.top + h + 16}" text-anchor="middle" font-size="11">${+v.toPrecision(3)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`,
  );
  out.push(
    `<text x="${MARGIN.left + w / 2}" y="${PANEL_H - 10}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16,${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(panel.yLabel)}</text>`,
  );
  panel.series.forEach((series, k) => {
    const color = COLORS[(k + colorOffset) % COLORS.length]!;
    const points = [...series.points].sort((a, b) => a.x - b.x);
    const path = points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    const dash = series.dashed ? ' stroke-dasharray="5,4"' : '';
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    if (!series.dashed) {
      for (const p of points)
        out.push(
          `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${color}"/>`,
        );
    }
    const ly = MARGIN.top + 14 + k * 16;
    out.push(
      `<line x1="${MARGIN.left + w - 170}" x2="${MARGIN.left + w - 150}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    out.push(
      `<text x="${MARGIN.left + w - 145}" y="${ly}" font-size="11">${escapeXml(series.label)}</text>`,
    );
  });
  out.push('</g>');
  return out.join('\n');
}

export function lineChartSvg(
  title: string,
  caption: string,
  panels: readonly ChartPanel[],
): string {
  const width = PANEL_W * panels.length;
  const height = PANEL_H + 56;
  let colorOffset = 0;
  const body = panels.map((panel, i) => {
    const svg = panelSvg(panel, i * PANEL_W, colorOffset);
    colorOffset += panel.series.length;
    return svg;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="${height - 30}" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle" font-size="11" fill="#555">${escapeXml(caption)}</text>`,
    `<g transform="translate(0,0)">`,
    ...body,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
