import * as core from '@expeditor/shared/workflow-commands';
import { runAction } from '@expeditor/shared/run';
import { clearExported } from './cleanup.ts';

await runAction('assume-env (post)', async (run) => {
  clearExported({ exportVariable: core.exportVariable }, run.log);
});
