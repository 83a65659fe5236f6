export { definePipeline, Pipeline, PipelineError } from './pipeline.js';
export type {
  PipelineDefinition,
  StepDefinition,
  StepContext,
  SkipContext,
  StepLogger,
  ProgressUpdate,
  CounterIncrement,
  RunOptions,
  PipelineEventListener,
} from './pipeline.js';
export type {
  PipelineEvent,
  StepEventBase,
  RunStartEvent,
  StepStartEvent,
  StepProgressEvent,
  StepRetryEvent,
  StepEndEvent,
  RunEndEvent,
} from './pipeline-events.js';
export { newRunId, assertValidRunId, runLogKey } from './run-id.js';
export { RUN_LOG_VERSION } from './run-log.js';
export type {
  RunLog,
  StepLog,
  RunStatus,
  StepStatus,
  StepCounters,
  RunTotals,
  StepProgress,
  LogMessage,
  LoggedError,
  RunLogError,
  CostEstimate,
  CostItem,
  JsonValue,
} from './run-log.js';
export { awsCostModel } from './cost-model.js';
export type { AwsCostModelOptions } from './cost-model.js';
