/**
 * `sluice/testing`: tools for deterministic tests of actors and pipelines — a TestKit with a manual
 * scheduler and virtual time, and model checks of single actors and of whole pipelines under
 * fast-check-chosen schedules and faults. Named exports only.
 */
export { VirtualClock } from './virtual-clock.js';
export { createTestKit } from './test-kit.js';
export type { TestKit, TestKitOptions, TestProbe } from './test-kit.js';
export { actorFaultsArb, describeActorFault, describeActorFaults, InjectedFault, withFaults } from './actor-faults.js';
export type { ActorFault, ActorFaultOptions } from './actor-faults.js';
export { assertPipeline, checkPipeline, definePipelineCheck, describeCase, PipelineCheckError } from './check-pipeline.js';
export { checkIO } from './check-job.js';
export type { CheckIORef, CheckJobArgs } from './check-job.js';
export type {
  Comparison,
  MinimizedCase,
  PipelineCase,
  PipelineCheck,
  PipelineCheckOptions,
  PipelineIO,
  RunnablePipeline,
  UpgradeCheckOptions,
  UpgradeMoment,
} from './check-pipeline.js';
export { assertActor, ActorCheckError, checkActor, defineActorCheck } from './check-actor.js';
export type { ActorCheck, ActorCheckFaults, ActorCheckOptions, ActorModel, MinimizedActorCase, ModelStep } from './check-actor.js';
export { describeActorCase } from './actor-case.js';
export type { ActorCase, CaseMessage } from './actor-case.js';
export { actorScheduleArb, DEFAULT_ACTOR_SCHEDULE, describeActorSchedule } from './actor-schedule.js';
export type { ActorSchedule, ActorScheduleOptions } from './actor-schedule.js';
export { DEFAULT_SCHEDULE, describeSchedule, scheduleArb } from './schedule.js';
export type { Schedule, ScheduleOptions, Tick, TickOptions } from './schedule.js';
export { applyRetimes, deliveryOrder, describeFault, describeFaults, describeUpgrade, faultPlanArb, NO_FAULTS, upgradePointArb } from './faults.js';
export type {
  CommitCrashFault,
  CrashFault,
  Disorder,
  Fault,
  FaultKind,
  FaultOptions,
  FaultPlan,
  KillAnchor,
  PoisonFault,
  RescaleFault,
  RescaleOptions,
  Retime,
  ThrowFault,
  UpgradeMode,
  UpgradePoint,
  WorkersFault,
  WorkersOptions,
} from './faults.js';
export { createOutputStore, exactlyOnceSink } from './output-store.js';
export type { OutputStore } from './output-store.js';
