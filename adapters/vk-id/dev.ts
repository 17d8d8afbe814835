// The dev stack's VK ID: the simulator on a fixed port with a few accounts (no phone, so any profile
// may bind one), and the settings that point the hub at it. Its sign-in page lists the accounts.
import { startVkIdSimulator } from './simulator.js';

export async function startDevVkId(port: number) {
  const sim = await startVkIdSimulator({ port });
  sim.addAccount({ userId: '100000001', firstName: 'Анна', lastName: 'Смирнова' });
  sim.addAccount({ userId: '100000002', firstName: 'Пётр', lastName: 'Иванов' });
  sim.addAccount({ userId: '100000003', firstName: 'Мария', lastName: 'Кузнецова' });
  return {
    url: sim.url,
    env: { VK_ID_BASE: sim.url, VK_ID_CLIENT_ID: sim.clientId },
    stop: () => sim.stop(),
  };
}
