export { DEFAULT_RULES, type RulesConfig } from './config.ts';
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
  type RuleKind,
  type Rules,
  toEventPayload,
} from './rules.ts';
