/**
 * Plotting: plain data in, a standalone SVG string out. No dependencies and no Node-specific
 * imports: write the string to a file (see `braints/node`'s writeText) or put it into a page.
 *
 * The chart functions ({@link rasterSvg}, {@link lineSvg}, {@link phasePlaneSvg}, {@link histogramSvg},
 * {@link trainingCurvesSvg}) are built from
 * small parts that are exported too: scales and nice ticks, axes, a plot frame, a legend.
 */
export { rasterSvg, type RasterOptions, type RasterGroup } from './raster.js';
export { lineSvg, polylinePath, finiteExtent, type LineSeries, type LineOptions } from './line.js';
export {
  phasePlaneSvg,
  type PhasePlaneData,
  type PhasePlaneOptions,
  type PhaseCurve,
  type VectorField,
  type PhasePoint,
} from './phase.js';
export {
  histogram,
  histogramSvg,
  firingRates,
  rateHistogramSvg,
  weightHistogramSvg,
  type Histogram,
  type HistogramSeries,
  type HistogramOptions,
} from './histogram.js';
export { trainingCurvesSvg, type EpochRecord, type TrainingCurveOptions } from './training.js';
export { linearScale, niceTicks, niceDomain, tickStep, tickFormat, type LinearScale } from './scale.js';
export { axisBottom, axisLeft, axisLeftWidth, plotFrame, type AxisOptions, type FrameOptions, type Frame } from './axes.js';
export {
  escapeXml,
  num,
  svgDocument,
  textSvg,
  legendSvg,
  approxTextWidth,
  uniqueId,
  PALETTE,
  type SvgDocumentOptions,
  type LegendItem,
} from './svg.js';
export { heatmapSvg, type HeatmapOptions } from './heatmap.js';
