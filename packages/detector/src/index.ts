export { DEFAULT_RULES, type RulesConfig } from './config.ts';
export { DetectorError, type DetectorErrorCode, isDetectorError } from './errors.ts';
export {
  categoryOf,
  DETECTOR_VERSION,
  MEASURED,
  type MeasuredPrecision,
  measuredPrecisionOf,
} from './measured.ts';
export { eyeAspectRatio, humanConfig, MODEL_FILES, type ModelResult, toFrameObservation } from './models.ts';
export {
  DEFAULT_TILES_PER_CHECK,
  detectObjects,
  OBJECT_MODEL,
  type ObjectModel,
  suppress,
  TILES,
  tilesFor,
} from './objects.ts';
export {
  type Box,
  type Calibration,
  calibrate,
  createRules,
  type DetectionEvent,
  type FaceObservation,
  type FrameConditions,
  type FrameObservation,
  frameConditions,
  NO_CALIBRATION,
  type ObjectKind,
  type ObjectObservation,
  objectClassName,
  objectContext,
  objectKindOf,
  objectSightings,
  type RuleKind,
  type Rules,
  toEventPayload,
} from './rules.ts';
