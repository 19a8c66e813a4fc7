// Where the deployed suite runs a connector: the built bin unless BASTION_TEST_IMAGE names an image,
// which needs the podman command to run it.
import { describe, expect, it } from 'vitest';
import { deployedTarget } from '../src/deployed-target.js';

describe('deployedTarget', () => {
  it('runs the bin, seeing shared files at their host paths, and is unavailable when the bin was not built', () => {
    const target = deployedTarget('/app/dist/index.js', {}, () => false);
    expect(target).toMatchObject({ kind: 'bin', label: '/app/dist/index.js', available: false });
    expect(target.newRun('stdio').share('/tmp/served', '/projects/work')).toBe('/tmp/served');
  });

  it('runs the image BASTION_TEST_IMAGE names, whether or not the bin was built', () => {
    const environment = { BASTION_TEST_IMAGE: 'localhost/bastion-demo:1.0.0', BASTION_TEST_PODMAN: '/repo/scripts/image/podman.sh' };
    const target = deployedTarget('/app/dist/index.js', environment, () => false);
    expect(target).toMatchObject({ kind: 'image', label: 'localhost/bastion-demo:1.0.0', available: true });
  });

  it('refuses an image without the podman command, saying how to run image suites', () => {
    expect(() => deployedTarget('/app/dist/index.js', { BASTION_TEST_IMAGE: 'localhost/bastion-demo:1.0.0' }, () => true)).toThrow(
      /BASTION_TEST_IMAGE=localhost\/bastion-demo:1.0.0 needs BASTION_TEST_PODMAN.*scripts\/image\/test-images.sh/,
    );
  });
});
