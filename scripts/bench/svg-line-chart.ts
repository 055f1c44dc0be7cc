/** A dependency-free SVG line chart for benchmark results (one x axis, several named series). */
export interface ChartSeries {
  name: string;
  points: readonly { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf'];
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function renderLineChart(chart: LineChart, width = 640, height = 400): string {
  const pad = { left: 64, right: 150, top: 40, bottom: 52 };
  const all = chart.series.flatMap((s) => s.points);
  const xMax = Math.max(...all.map((p) => p.x), 1);
  const yMax = Math.max(...all.map((p) => p.y), 1e-9) * 1.1;
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const sx = (x: number) => pad.left + (x / xMax) * plotW;
  const sy = (y: number) => pad.top + plotH - (y / yMax) * plotH;
  const xs = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
  const yTicks = Array.from({ length: 5 }, (_, i) => (yMax * (i + 1)) / 5);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#333"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#333"/>`,
    ...xs.map(
      (x) => `<text x="${sx(x)}" y="${pad.top + plotH + 16}" text-anchor="middle">${x}</text>`,
    ),
    ...yTicks.map(
      (y) =>
        `<line x1="${pad.left}" y1="${sy(y)}" x2="${pad.left + plotW}" y2="${sy(y)}" stroke="#eee"/>` +
        `<text x="${pad.left - 6}" y="${sy(y) + 4}" text-anchor="end">${y.toPrecision(3)}</text>`,
    ),
    `<text x="${pad.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${pad.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`,
  ];
  chart.series.forEach((series, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const path = series.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`);
    for (const p of series.points) {
      parts.push(`<circle cx="${sx(p.x)}" cy="${sy(p.y)}" r="3" fill="${colour}"/>`);
    }
    const ly = pad.top + 10 + i * 18;
    parts.push(
      `<rect x="${width - pad.right + 12}" y="${ly - 9}" width="12" height="4" fill="${colour}"/>`,
      `<text x="${width - pad.right + 30}" y="${ly - 3}">${escape(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
