// A tiny training run that must give the same bits wherever gradstep runs: a convolution, a linear
// layer and Adam, ten steps on fixed random data. The browser tests run it in Chromium (imported by
// pages/plain.html and pages/import_map.html) and in Node, on both backends, and compare.

/** Trains on `backend` and returns every loss and every final weight as plain numbers. */
export async function trainTiny(gradstep, backend) {
  const { setBackend, getBackend, manualSeed, randn, randint, nn, optim } = gradstep;
  await setBackend(backend);
  manualSeed(0);
  const x = randn([16, 1, 6, 6]);
  const y = randint(0, 3, [16]);
  const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.Tanh(), new nn.Flatten(), new nn.Linear(32, 3));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  const losses = [];
  for (let step = 0; step < 10; step++) {
    const loss = lossFn.call(model.call(x), y);
    losses.push(loss.item());
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
  }
  return { backend: getBackend(), losses, weights: model.parameters().map((p) => Array.from(p.toArray())) };
}
