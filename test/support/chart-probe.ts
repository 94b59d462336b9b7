/**
 * What the report page's browser test reads from each chart, inside the page (passed to page.evaluate, so it is
 * serialised and runs in Chromium: it may use only the page's globals). For each chart section: whether a Chart.js
 * instance drew it, its canvas's painted pixels, and per dataset its points and, inside the plot area (legend
 * and axes left out), the pixels of the dataset's own colour.
 */

// the page's globals as this function uses them (the project compiles without the DOM library)
declare const document: { querySelectorAll(selector: string): Iterable<any> };
declare const Chart: { getChart(canvas: unknown): any };

export interface DatasetProbe {
  label: string;
  points: number;
  sum: number;
  /** pixels of the plot area within a few levels of the dataset's colour */
  colourPixels: number;
}

export interface ChartProbe {
  id: string;
  drawn: boolean;
  /** the text shown instead of a chart */
  message: string | null;
  /** the canvas's size in CSS pixels */
  width: number;
  height: number;
  /** canvas pixels with any opacity */
  painted: number;
  datasets: DatasetProbe[];
}

export function probeCharts(): ChartProbe[] {
  const rgb = (hex: string) => [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16));
  return [...document.querySelectorAll('section[data-chart]')].map((section) => {
    const id = section.dataset.chart as string;
    const message = (section.querySelector('.empty')?.textContent as string | undefined) ?? null;
    const canvas = section.querySelector('canvas');
    const chart = canvas === null ? undefined : Chart.getChart(canvas);
    if (chart === undefined) return { id, drawn: false, message, width: 0, height: 0, painted: 0, datasets: [] };
    const context = canvas.getContext('2d');
    const whole: Uint8ClampedArray = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < whole.length; i += 4) if (whole[i]! > 0) painted += 1;
    const ratio: number = chart.currentDevicePixelRatio;
    const area = chart.chartArea;
    const plot: Uint8ClampedArray = context.getImageData(
      Math.floor(area.left * ratio),
      Math.floor(area.top * ratio),
      Math.ceil((area.right - area.left) * ratio),
      Math.ceil((area.bottom - area.top) * ratio),
    ).data;
    const datasets = chart.data.datasets.map((dataset: any) => {
      const values = (dataset.data as unknown[])
        .map((value) => (value !== null && typeof value === 'object' ? (value as { y: number }).y : (value as number | null)))
        .filter((value): value is number => value !== null);
      const [r, g, b] = rgb(dataset.backgroundColor as string);
      let colourPixels = 0;
      for (let i = 0; i < plot.length; i += 4) {
        const near = Math.abs(plot[i]! - r!) <= 8 && Math.abs(plot[i + 1]! - g!) <= 8 && Math.abs(plot[i + 2]! - b!) <= 8;
        if (near && plot[i + 3]! > 200) colourPixels += 1;
      }
      return { label: dataset.label as string, points: values.length, sum: values.reduce((total, value) => total + value, 0), colourPixels };
    });
    return { id, drawn: true, message, width: chart.width as number, height: chart.height as number, painted, datasets };
  });
}
