/** The drawing canvas: white strokes on black, read back at the models' input size. */

/** Makes `canvas` drawable with mouse, pen or touch. */
export function makeDrawable(canvas: HTMLCanvasElement): { clear(): void; hasInk(): boolean } {
  const ctx = canvas.getContext('2d')!;
  let drawing = false;
  let ink = false;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ink = false;
  };
  const at = (e: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    const [x, y] = at(e);
    ctx.beginPath();
    ctx.moveTo(x, y);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    const [x, y] = at(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = canvas.width / 12;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineTo(x, y);
    ctx.stroke();
    ink = true;
  });
  const stop = () => (drawing = false);
  canvas.addEventListener('pointerup', stop);
  canvas.addEventListener('pointercancel', stop);
  clear();
  return { clear, hasInk: () => ink };
}

/** The drawing scaled to [H, W, C] values in [0,1] (grey in every channel). */
export function readDrawing(canvas: HTMLCanvasElement, shape: [number, number, number]): Float32Array {
  const [h, w, c] = shape;
  const small = document.createElement('canvas');
  small.width = w;
  small.height = h;
  const ctx = small.getContext('2d')!;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const out = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) {
    const grey = (rgba[i * 4] + rgba[i * 4 + 1] + rgba[i * 4 + 2]) / (3 * 255);
    for (let k = 0; k < c; k++) out[i * c + k] = grey;
  }
  return out;
}
