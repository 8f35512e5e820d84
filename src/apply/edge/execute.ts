import type { EdgeAction } from '../../plan/edge/actions.js';
import type { PodContext } from '../pod.js';
import { createEdge, removeEdge } from './container.js';

export async function executeEdgeAction(action: EdgeAction, ctx: PodContext): Promise<void> {
  switch (action.type) {
    case 'create-edge':
      return createEdge(ctx, action.edge);
    case 'write-edge':
      await ctx.dataplane.writer.writeConfig(ctx, action.containerId, 'edge', action.config, action.after, action.files);
      return;
    case 'delete-edge':
      return removeEdge(ctx, action.containerId, action.name, action.volume);
  }
}
