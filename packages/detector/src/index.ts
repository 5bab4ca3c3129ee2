export { DEFAULT_RULES, type RulesConfig } from './config.ts';
export { DetectorError, type DetectorErrorCode, isDetectorError } from './errors.ts';
export { eyeAspectRatio, humanConfig, MODEL_FILES, type ModelResult, toFrameObservation } from './models.ts';
export {
  type Box,
  type Calibration,
  calibrate,
  createRules,
  type DetectionEvent,
  type FaceObservation,
  type FrameObservation,
  NO_CALIBRATION,
  type ObjectKind,
  type ObjectObservation,
  objectClassName,
  objectKindOf,
  type RuleKind,
  type Rules,
  toEventPayload,
} from './rules.ts';
