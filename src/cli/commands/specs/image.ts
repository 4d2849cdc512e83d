import type { CommandSpec } from '../../command.js';
import { availableFlags } from '../image-flags.js';

export const imageBuildSpec: CommandSpec = {
  path: ['image', 'build'],
  args: ['<recipe>'],
  summary: 'Build an image (<pot>_<tag>.xz with .sha256, .meta and optional .sig) from an HCL or JSON recipe',
  details:
    'The recipe names a base (empty or another image), host binaries copied with their shared libraries, files, and build ' +
    'steps run inside the image in an isolated namespace jail without network (needs root). Output goes to -out (KILN_IMAGE_OUT, default .).',
  flags: availableFlags(['out', 'sign-key', 'json']),
  examples: ['kiln image build src/images/demo/hello.hcl -out ./images', 'kiln image build nginx.hcl -sign-key release.key'],
};

export const imageKeygenSpec: CommandSpec = {
  path: ['image', 'keygen'],
  args: ['<name>'],
  summary: 'Create an ed25519 key pair for signing images: <name>.key (private) and <name>.pub',
  details: 'Sign with kiln image build -sign-key <name>.key; clients trust the public key (PEM or the base64 line printed here).',
  flags: [],
  examples: ['kiln image keygen release'],
};

export const imageLsSpec: CommandSpec = {
  path: ['image', 'ls'],
  args: [],
  summary: 'List the images a kiln registry serves',
  details: 'Registry from -registry or KILN_REGISTRY_ADDR (default http://127.0.0.1:5000).',
  flags: availableFlags(['registry', 'json', 'verbose']),
  examples: ['kiln image ls', 'KILN_REGISTRY_ADDR=http://127.0.0.1:5000 kiln image ls -json'],
};

export const imagePushSpec: CommandSpec = {
  path: ['image', 'push'],
  args: ['<file>'],
  summary: 'Upload an image (<pot>_<tag>.xz and the files beside it) to a kiln registry',
  details: 'The image URL for jobs is then <registry>/<path>. Registry from -registry or KILN_REGISTRY_ADDR, path from -path or KILN_IMAGE_PATH (default the pot name), token from -token or KILN_REGISTRY_TOKEN.',
  flags: availableFlags(['registry', 'path']),
  examples: ['kiln image push nginx-nomad-amd64-13_1_1.1.13.xz -registry http://127.0.0.1:5000 -path nginx-nomad -token $TOKEN'],
};

export const imageRmSpec: CommandSpec = {
  path: ['image', 'rm'],
  args: ['<image>'],
  summary: 'Remove an image (<path>/<pot>_<tag>.xz and its digest, meta and signature) from a kiln registry',
  details: 'Needs the push token (-token or KILN_REGISTRY_TOKEN) when the registry has one.',
  flags: availableFlags(['registry']),
  examples: ['kiln image rm nginx-nomad/nginx-nomad-amd64-13_1_1.1.13.xz'],
};

export const registryServeSpec: CommandSpec = {
  path: ['registry'],
  args: [],
  summary: 'Run an image registry: serves images over HTTP and accepts uploads with a push token',
  details:
    'Files live under <data-dir>/images. Push token from -token or KILN_REGISTRY_TOKEN (without one, uploads are open: only do that on loopback). ' +
    'Port from -port or KILN_REGISTRY_PORT (default 5000); -demo-images or KILN_REGISTRY_DEMO=1 builds the demo images when missing.',
  flags: availableFlags(['data-dir', 'bind', 'port', 'demo-images', 'log-level']),
  examples: ['kiln registry -data-dir /var/lib/kiln/registry -token $TOKEN', 'kiln registry -demo-images'],
};
