import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
} from 'chart.js';

// Only the pieces the analytics page draws, so the chunk stays small (tree-shaken Chart.js).
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  Legend,
);
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

const BLUE = 'rgba(29, 78, 216, 0.75)';
const PALETTE = ['#1d4ed8', '#dc2626', '#059669', '#d97706'];

export function barChart(
  canvas: HTMLCanvasElement,
  labels: string[],
  values: number[],
  label: string,
  horizontal = false,
): void {
  new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: BLUE }] },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { legend: { display: false } },
      // Every category label matters (genres); Chart.js would skip some to avoid overlap.
      scales: { [horizontal ? 'y' : 'x']: { ticks: { autoSkip: false } } },
    },
  });
}

export function scatterChart(
  canvas: HTMLCanvasElement,
  points: { x: number; y: number }[],
  axes: { x: string; y: string; xLog?: boolean },
): void {
  new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: axes.y, data: points, backgroundColor: 'rgba(29, 78, 216, 0.35)', pointRadius: 2 },
      ],
    },
    options: {
      plugins: { legend: { display: false } },
      scales: {
        x: { type: axes.xLog ? 'logarithmic' : 'linear', title: { display: true, text: axes.x } },
        y: { title: { display: true, text: axes.y } },
      },
    },
  });
}

export function lineChart(
  canvas: HTMLCanvasElement,
  x: number[],
  series: { label: string; values: (number | null)[] }[],
  axes: { x: string; y: string },
): void {
  new Chart(canvas, {
    type: 'line',
    data: {
      labels: x,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.values,
        borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length],
        spanGaps: true,
      })),
    },
    options: {
      scales: {
        x: { title: { display: true, text: axes.x } },
        y: { title: { display: true, text: axes.y } },
      },
    },
  });
}
