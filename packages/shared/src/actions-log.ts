// The Log of a running action, on top of the runner's workflow commands.
import * as core from './workflow-commands.ts';
import { annotationTitle, type Log } from './log.ts';

let inGroup = false;

export const actionsLog: Log = {
  info: (line) => core.info(line),
  debug: (line) => core.debug(line),
  warning: (message, where) => core.warning(message, annotationProps(where)),
  error: (message, where) => core.error(message, annotationProps(where)),
  async group(name, fn) {
    // Actions has one level of groups; an inner group just prints its name.
    if (inGroup) {
      core.info(`▸ ${name}`);
      return fn();
    }
    inGroup = true;
    core.startGroup(name);
    try {
      return await fn();
    } finally {
      core.endGroup();
      inGroup = false;
    }
  },
  mask: (secret) => {
    if (secret) core.setSecret(secret);
  },
};

function annotationProps(where: Parameters<Log['warning']>[1]): core.AnnotationProperties {
  const title = annotationTitle(where);
  return {
    ...(title ? { title } : {}),
    ...(where?.file ? { file: where.file } : {}),
  };
}
