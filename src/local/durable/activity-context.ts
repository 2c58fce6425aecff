import functions from '@azure/functions';
import type { Logger } from '../../core/logger.js';

/** The InvocationContext an activity gets on the local host; its log goes to our logger. */
export function activityContext(
  activity: string,
  instanceId: string,
  logger: Logger,
): functions.InvocationContext {
  return new functions.InvocationContext({
    functionName: activity,
    invocationId: crypto.randomUUID(),
    logHandler: (level, ...args) => {
      const message = args.map(String).join(' ');
      const fields = { activity, instanceId };
      if (level === 'error' || level === 'critical') logger.error(message, fields);
      else if (level === 'warning') logger.warn(message, fields);
      else if (level === 'information') logger.info(message, fields);
      else logger.debug(message, fields);
    },
  });
}
