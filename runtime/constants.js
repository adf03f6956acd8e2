// Every name, number and flag the runtime shares, in one place (see docs/reference/page-contract.md).

/** Spec schema this runtime reads. */
export const SCHEMA = 1;

/** Selectors of the page contract. */
export const SELECTOR = Object.freeze({
  cell: '[data-mlpages-kind]:not(.mlpages-error)',
  spec: 'script.mlpages-spec',
  // Material's instant navigation re-creates inline scripts of the new page with their
  // text only (type and class dropped): the spec is then the cell's own <script> child.
  specAfterInstantNavigation: ':scope > script',
  live: '.mlpages-live',
});

/** CSS class names the runtime adds (styled by mlpages.css). */
export const CSS = Object.freeze({
  live: 'mlpages-live',
  toolbar: 'mlpages-toolbar',
  notice: 'mlpages-notice',
  badge: 'mlpages-badge',
  status: 'mlpages-status',
  controls: 'mlpages-controls',
  button: 'mlpages-button',
  progress: 'mlpages-progress',
  panels: 'mlpages-panels',
  chart: 'mlpages-chart',
  boundary: 'mlpages-boundary',
  mounted: 'mlpages-mounted',
  table: 'mlpages-table',
  match: 'mlpages-match',
  mismatch: 'mlpages-mismatch',
  note: 'mlpages-note',
  error: 'mlpages-cell-error',
  unverified: 'mlpages-unverified',
  output: 'mlpages-output', // what a tfjs cell's code printed
});

/** Convolution cells (runtime/cell-convolution.js): class names of the grids and the explanation. */
export const CONV = Object.freeze({
  grids: 'mlpages-conv-grids',
  grid: 'mlpages-grid',
  input: 'mlpages-conv-input',
  kernel: 'mlpages-conv-kernel',
  output: 'mlpages-conv-output',
  cell: 'mlpages-conv-cell',
  pad: 'mlpages-conv-pad',
  window: 'mlpages-conv-window',
  bad: 'mlpages-conv-bad',
  select: 'mlpages-conv-select',
  explain: 'mlpages-conv-explain',
  products: 'mlpages-conv-products',
  sum: 'mlpages-conv-sum',
  check: 'mlpages-conv-check',
});

/** Default comparison tolerance: |browser − reference| <= atol + rtol·|reference|. */
export const DEFAULT_TOLERANCE = Object.freeze({ rtol: 1e-3, atol: 1e-5 });

/** Keys compared within 1/n (one flipped sample) instead of with the tolerance. */
export const ACCURACY_KEYS = Object.freeze(['acc', 'val_acc', 'accuracy']);

/** Display order of history keys (others follow in their own order). */
export const HISTORY_ORDER = Object.freeze(['loss', 'acc', 'val_loss', 'val_acc']);

/** Backend epsilons the references are stored for. */
export const EPSILON = Object.freeze({ webgl: 1e-4, cpu: 1e-7 });

/**
 * TF.js flags set before the backend starts. With WEBGL_PACK on, a sigmoid hidden layer
 * deviates from the math by 1.3e-3 within ten epochs; with it off WebGL matches the CPU
 * backend to 1e-7 (case batch-larger-than-n of tests/engine/vectors/tfjs-4.22-dense.json).
 */
export const TF_FLAGS = Object.freeze({ WEBGL_PACK: false });

export const PREFERRED_BACKEND = 'webgl';
export const FALLBACK_BACKEND = 'cpu';

/**
 * Positional arguments of `tf.train.<name>(...)`, in TF.js's order.
 * @type {Readonly<Record<string, readonly string[]>>}
 */
export const OPTIMIZER_ARGS = Object.freeze({
  sgd: ['learningRate'],
  momentum: ['learningRate', 'momentum', 'useNesterov'],
  adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
  rmsprop: ['learningRate', 'decay', 'momentum', 'epsilon', 'centered'],
  adagrad: ['learningRate', 'initialAccumulatorValue'],
  adadelta: ['learningRate', 'rho', 'epsilon'],
  adamax: ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
});

/** Decision boundary: grid resolution, canvas size (CSS px), redraw throttle, colour scale. */
// The heat map is predicted on a grid×grid lattice whose outer points lie on the plot's
// edges, and scaled up smoothly. While training, a redraw waits at least throttleMs and at
// least idleFactor times the last redraw's cost, so redraws take at most 1/(idleFactor+1)
// of the training time (5% with 19). Colour scale: an output t in [0, 1] is drawn as the
// neutral mid colour (CSS --mlp-boundary-mid, else `mid`) moved towards class 0's colour
// (t < 0.5) or class 1's (t > 0.5) by strength·|2t − 1|^gamma: gamma < 1 makes small
// departures from 0.5 visible, strength < 1 keeps the points' own colours apart from the
// regions'. The 0.5 level line is drawn `lineWidth` CSS px wide (CSS --mlp-boundary-line).
export const BOUNDARY = Object.freeze({
  grid: 25,
  size: 260,
  throttleMs: 300,
  idleFactor: 19,
  pad: 0.1,
  gamma: 0.5,
  strength: 0.85,
  level: 0.5,
  lineWidth: 2,
  mid: Object.freeze([208, 212, 216]),
  line: 'rgba(0, 0, 0, 0.87)',
  scaleSteps: 128,
});

/** Chart height in CSS px; series colors readable on light and dark backgrounds. */
export const CHART = Object.freeze({
  height: 220,
  minWidth: 200,
  colors: Object.freeze({
    loss: '#1f77b4',
    val_loss: '#ff7f0e',
    acc: '#2ca02c',
    val_acc: '#d62728',
  }),
  fallbackColor: '#9467bd',
  /** Tick spacings of the epoch axis: whole epochs only. */
  epochSteps: Object.freeze([1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000]),
});

/** TensorFlow Playground's two class colors (orange, blue), then more for softmax. */
export const CLASS_COLORS = Object.freeze([
  [245, 147, 34],
  [8, 119, 189],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
]);

/**
 * The reader's own data (runtime/readerdata.js, readereditor.js): which datasets a reader may
 * edit, the editor's plot, and the label of runs on the reader's data.
 */
export const READER = Object.freeze({
  /** Points editor: two features, class labels, at most this many classes and train rows. */
  maxClasses: 10,
  maxPoints: 2000,
  /** Table editor: at most this many rows, and columns (features and label together). */
  maxRows: 50,
  maxColumns: 8,
  /** Plot size (CSS px), padding around the data (fraction of its span), hit radius (px). */
  size: 260,
  pad: 0.1,
  hitPx: 8,
  /** Keyboard cursor step, as a fraction of the plot's span (Shift: a larger step). */
  step: 0.025,
  bigStep: 0.1,
  editor: 'mlpages-reader',
  plot: 'mlpages-reader-plot',
  classes: 'mlpages-reader-classes',
  rows: 'mlpages-reader-rows',
  banner: 'mlpages-reader-banner',
  unverified: 'mlpages-reader-unverified',
});

/** The reader's code editor (editor.js). */
export const EDITOR = Object.freeze({
  /** localStorage key prefix; the site root URL, the page's source path and the cell id follow. */
  storagePrefix: 'mlpages:edit:',
  /** Where the runtime lives below the site root (the MkDocs plugin's assets dir). */
  assetsDir: 'assets/mlpages/',
  css: Object.freeze({
    /** The code box the build renders (plugin/html.py code_block), which Edit replaces. */
    code: 'mlpages-code',
    /** The Copy and standalone buttons under a program's box (codeview.js). */
    tools: 'mlpages-code-tools',
    editor: 'mlpages-editor',
    message: 'mlpages-editor-message',
    errorLine: 'mlpages-editor-error-line',
    edited: 'mlpages-edited',
  }),
});

/** Result statuses of the contract. */
export const STATUS = Object.freeze({ ok: 'ok', error: 'error', stopped: 'stopped' });


/** Predict tables show at most this many rows, and this many values per input or output. */
export const PREDICT_SHOWN = Object.freeze({ rows: 20, values: 6 });

/** Decimal digits shown for numbers in tables. */
export const DIGITS = 6;

// How often progress and the loss chart are repainted while a cell trains.
export const UI_PAINT_MS = 250;

// While fitting, the page gets a macrotask (input, and a paint when a frame is due) every
// minMs, or less often when painting is expensive (software WebGL): never sooner than
// idleFactor times the last yield's cost. TF.js's own yielding waits for an animation
// frame each time instead, which bench/ measured at 10-20% of a fit under SwiftShader.
export const YIELD = Object.freeze({ minMs: 100, idleFactor: 19 });

/** Results tables (runtime/results.js): numbers of the cells above; not cells themselves. */
export const RESULTS = Object.freeze({
  selector: '[data-mlpages-results]',
  spec: 'script.mlpages-results-spec',
  specAfterInstantNavigation: ':scope > script',
  referenceCell: 'td.mlpages-results-reference',
  referenceHead: 'th[data-mlpages-reference]',
  ownClass: 'mlpages-results-own',
});

/** Knob panels (runtime/knobs.js): the controls above a train cell with `knobs`. */
export const KNOBS = Object.freeze({
  selector: '[data-mlpages-knobs]',
  spec: 'script.mlpages-knobs-spec',
  specAfterInstantNavigation: ':scope > script',
  /** The build's list of the settings, for readers without JavaScript: the controls replace it. */
  staticList: ':scope > ul.mlpages-knobs-static',
  /** Non-numeric knobs with at most this many values get buttons, others a <select>. */
  maxButtons: 5,
  css: Object.freeze({
    controls: 'mlpages-knobs-controls',
    row: 'mlpages-knob-row',
    knob: 'mlpages-knob',
    label: 'mlpages-knob-label',
    value: 'mlpages-knob-value',
    segmented: 'mlpages-knob-segmented',
    free: 'mlpages-knob-free',
    ticks: 'mlpages-knob-ticks',
    status: 'mlpages-knobs-status',
  }),
});

/** Inline values in the prose (runtime/inline.js): one bound number each, its spec in an attribute. */
export const VALUE = Object.freeze({
  selector: 'span[data-mlpages-value]',
  attribute: 'data-mlpages-value',
  reference: '.mlpages-value-reference',
  ownClass: 'mlpages-value-own',
  match: 'mlpages-match',
  mismatch: 'mlpages-mismatch',
});

/** Quizzes (runtime/quiz.js): selectors, storage and class names. Quizzes are not cells. */
export const QUIZ = Object.freeze({
  selector: '[data-mlpages-quiz]',
  spec: 'script.mlpages-quiz-spec',
  question: 'fieldset[data-mlpages-question]',
  /** A question's own answer list (a direct child of its fieldset): the author's texts may hold inputs too. */
  answers: ':scope > ul.mlpages-answers',
  hint: 'details.mlpages-quiz-hint',
  solution: 'details.mlpages-quiz-solution',
  /** The build-time explanation, the last child of the solution's <details>. */
  explanationText: 'details.mlpages-quiz-solution > .mlpages-quiz-explanation-text',
  /** Build-time feedback, in the solution's list; data-mlpages-answer: the answer's index. */
  feedbackText: 'details.mlpages-quiz-solution .mlpages-quiz-feedback-text[data-mlpages-answer]',
  /** An ordering question's position selects; data-mlpages-item: the item's index in the right order. */
  orderSelect: 'select[data-mlpages-item]',
  /** localStorage key prefix; the site root URL follows, so every site keeps its own progress. */
  storagePrefix: 'mlpages:quiz:',
  storageVersion: 1,
  /** The course-wide progress view (`quiz-progress` block) and its spec. */
  progress: '[data-mlpages-quiz-progress]',
  progressSpec: 'script.mlpages-quiz-progress-spec',
  /** Where the runtime lives below the site root (the MkDocs plugin's assets dir). */
  assetsDir: 'assets/mlpages/',
  css: Object.freeze({
    score: 'mlpages-quiz-score',
    controls: 'mlpages-quiz-controls',
    feedback: 'mlpages-quiz-feedback',
    hint: 'mlpages-quiz-hint-text',
    hintBox: 'mlpages-quiz-hint-box',
    explanation: 'mlpages-quiz-explanation',
    right: 'mlpages-quiz-right',
    wrong: 'mlpages-quiz-wrong',
  }),
});
