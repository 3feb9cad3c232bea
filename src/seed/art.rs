//! Deterministic flat-style product illustrations for the demo catalogue.
//!
//! A tiny software rasteriser (spans for rectangles, rounded rectangles,
//! ellipses and scanline polygons) draws each [`Motif`] onto a supersampled
//! canvas, which is then box-filtered down for cheap anti-aliasing. No fonts,
//! files or randomness are involved, so the same [`Art`] always yields the
//! same bytes on every run.

use std::f32::consts::{PI, TAU};

use image::RgbImage;

use super::catalogue::{Art, Motif};

/// Samples per pixel along each axis; 3 gives clean edges and stays fast.
// Unoptimised (debug and test) builds draw without supersampling: the same
// pictures, jagged edges, a tenth of the time.
const SS: usize = if cfg!(debug_assertions) { 1 } else { 3 };

type Rgb = [u8; 3];

/// Renders `art` as a `width` x `height` image.
#[must_use]
pub fn render(art: &Art, width: u32, height: u32) -> RgbImage {
    if width == 0 || height == 0 {
        return RgbImage::new(width, height);
    }
    let mut canvas = Canvas::new(width as usize * SS, height as usize * SS);
    let palette = Palette::new(art);

    canvas.vertical_gradient(lighten(art.background, 0.35), darken(art.background, 0.06));

    // A soft halo behind the object lifts it off the backdrop.
    let halo = Paint::blend(lighten(art.background, 0.6), 0.55);
    canvas.ellipse(0.5, 0.52, 0.62, 0.62, halo);

    // Stacked translucent ellipses approximate a blurred contact shadow.
    for i in 0..6 {
        let k = i as f32 / 5.0;
        let rx = 0.46 - 0.16 * k;
        let ry = 0.065 - 0.025 * k;
        canvas.ellipse(0.5, 1.0, rx, ry, Paint::blend([0, 0, 0], 0.035));
    }

    match art.motif {
        Motif::Mug => mug(&mut canvas, &palette),
        Motif::Bottle => bottle(&mut canvas, &palette),
        Motif::Book => book(&mut canvas, &palette),
        Motif::Shirt => shirt(&mut canvas, &palette),
        Motif::Lamp => lamp(&mut canvas, &palette),
        Motif::Plant => plant(&mut canvas, &palette),
        Motif::Headphones => headphones(&mut canvas, &palette),
        Motif::Chair => chair(&mut canvas, &palette),
        Motif::Bag => bag(&mut canvas, &palette),
        Motif::Ball => ball(&mut canvas, &palette),
        Motif::Box => parcel(&mut canvas, &palette),
        Motif::Watch => watch(&mut canvas, &palette),
        Motif::Teddy => teddy(&mut canvas, &palette),
    }

    canvas.downsample(width, height)
}

/// Colours derived from an [`Art`], shared by all motif painters.
struct Palette {
    base: Rgb,
    dark: Rgb,
    deep: Rgb,
    light: Rgb,
    pale: Rgb,
    /// Near-white tinted towards the backdrop, for paper, dials and the like.
    paper: Rgb,
    /// A detail colour guaranteed to stand out against `base`.
    contrast: Rgb,
    /// Backdrop tinted towards the accent, for wisps that must read on the halo.
    mist: Rgb,
}

impl Palette {
    fn new(art: &Art) -> Self {
        let base = art.accent;
        Self {
            base,
            dark: darken(base, 0.25),
            deep: darken(base, 0.5),
            light: lighten(base, 0.3),
            pale: lighten(base, 0.62),
            paper: mix([252, 250, 246], art.background, 0.2),
            contrast: if luma(base) > 150.0 {
                darken(base, 0.55)
            } else {
                lighten(base, 0.7)
            },
            mist: mix(art.background, base, 0.3),
        }
    }
}

fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    let ch = |x: u8, y: u8| {
        (f32::from(x) + (f32::from(y) - f32::from(x)) * t)
            .round()
            .clamp(0.0, 255.0) as u8
    };
    [ch(a[0], b[0]), ch(a[1], b[1]), ch(a[2], b[2])]
}

/// Perceived brightness (Rec. 601 weights) on the 0–255 scale.
fn luma(c: Rgb) -> f32 {
    0.299 * f32::from(c[0]) + 0.587 * f32::from(c[1]) + 0.114 * f32::from(c[2])
}

fn darken(c: Rgb, t: f32) -> Rgb {
    mix(c, [0, 0, 0], t)
}

fn lighten(c: Rgb, t: f32) -> Rgb {
    mix(c, [255, 255, 255], t)
}

/// A fill colour with coverage; `alpha == 1.0` takes the fast opaque path.
#[derive(Clone, Copy)]
struct Paint {
    rgb: Rgb,
    alpha: f32,
}

impl Paint {
    fn blend(rgb: Rgb, alpha: f32) -> Self {
        Self { rgb, alpha }
    }
}

impl From<Rgb> for Paint {
    fn from(rgb: Rgb) -> Self {
        Self { rgb, alpha: 1.0 }
    }
}

/// Supersampled drawing surface.
///
/// Shape coordinates are in "object units": the object lives in a unit square
/// whose bottom edge (`y == 1.0`) is the floor, centred horizontally and
/// scaled to the smaller image dimension so every aspect ratio stays tidy.
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<Rgb>,
    ox: f32,
    oy: f32,
    scale: f32,
    /// Active clip rectangle in sample space: `[x0, y0, x1, y1]`.
    clip: [f32; 4],
}

impl Canvas {
    fn new(w: usize, h: usize) -> Self {
        let (wf, hf) = (w as f32, h as f32);
        let scale = (wf * 0.75).min(hf * 0.66);
        let floor = hf * 0.5 + scale * 0.47;
        Self {
            w,
            h,
            px: vec![[0, 0, 0]; w * h],
            ox: (wf - scale) * 0.5,
            oy: floor - scale,
            scale,
            clip: [0.0, 0.0, wf, hf],
        }
    }

    fn x(&self, u: f32) -> f32 {
        self.ox + u * self.scale
    }

    fn y(&self, v: f32) -> f32 {
        self.oy + v * self.scale
    }

    fn len(&self, d: f32) -> f32 {
        d * self.scale
    }

    /// Restricts subsequent drawing to a rectangle in object units; this is
    /// how shading is kept exactly inside the shape it darkens.
    fn set_clip(&mut self, x0: f32, y0: f32, x1: f32, y1: f32) {
        self.clip = [
            self.x(x0).max(0.0),
            self.y(y0).max(0.0),
            self.x(x1).min(self.w as f32),
            self.y(y1).min(self.h as f32),
        ];
    }

    fn reset_clip(&mut self) {
        self.clip = [0.0, 0.0, self.w as f32, self.h as f32];
    }

    fn vertical_gradient(&mut self, top: Rgb, bottom: Rgb) {
        let denom = (self.h.max(2) - 1) as f32;
        for (row, line) in self.px.chunks_exact_mut(self.w).enumerate() {
            let c = mix(top, bottom, row as f32 / denom);
            line.fill(c);
        }
    }

    /// Rows whose sample centres fall inside `[y0, y1]` (pixel space).
    fn rows(&self, y0: f32, y1: f32) -> std::ops::Range<usize> {
        let (y0, y1) = (y0.max(self.clip[1]), y1.min(self.clip[3]));
        let a = (y0 - 0.5).ceil().max(0.0);
        let b = ((y1 - 0.5).floor() + 1.0).clamp(0.0, self.h as f32);
        if a >= b { 0..0 } else { a as usize..b as usize }
    }

    /// Fills samples of `row` whose centres fall inside `[x0, x1]` (pixel space).
    fn span(&mut self, row: usize, x0: f32, x1: f32, paint: Paint) {
        let (x0, x1) = (x0.max(self.clip[0]), x1.min(self.clip[2]));
        let a = (x0 - 0.5).ceil().max(0.0);
        let b = ((x1 - 0.5).floor() + 1.0).clamp(0.0, self.w as f32);
        if a >= b {
            return;
        }
        let start = row * self.w;
        let line = &mut self.px[start + a as usize..start + b as usize];
        if paint.alpha >= 1.0 {
            line.fill(paint.rgb);
        } else {
            // Fixed-point blend: large translucent shapes (halo, shadow) touch
            // a third of all samples, so this loop dominates render time.
            let a = (paint.alpha.clamp(0.0, 1.0) * 256.0) as u32;
            let inv = 256 - a;
            let src = paint.rgb.map(|c| u32::from(c) * a + 128);
            for p in line {
                for ch in 0..3 {
                    p[ch] = ((u32::from(p[ch]) * inv + src[ch]) >> 8) as u8;
                }
            }
        }
    }

    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, paint: impl Into<Paint>) {
        let paint = paint.into();
        let (cx, cy, rx, ry) = (self.x(cx), self.y(cy), self.len(rx), self.len(ry));
        if rx <= 0.0 || ry <= 0.0 {
            return;
        }
        for row in self.rows(cy - ry, cy + ry) {
            let dy = (row as f32 + 0.5 - cy) / ry;
            let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
            self.span(row, cx - half, cx + half, paint);
        }
    }

    fn circle(&mut self, cx: f32, cy: f32, r: f32, paint: impl Into<Paint>) {
        self.ellipse(cx, cy, r, r, paint);
    }

    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, paint: impl Into<Paint>) {
        self.round_rect(x0, y0, x1, y1, 0.0, paint);
    }

    fn round_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, r: f32, paint: impl Into<Paint>) {
        let paint = paint.into();
        let (x0, y0, x1, y1) = (self.x(x0), self.y(y0), self.x(x1), self.y(y1));
        let r = self
            .len(r)
            .min((x1 - x0) * 0.5)
            .min((y1 - y0) * 0.5)
            .max(0.0);
        for row in self.rows(y0, y1) {
            let yc = row as f32 + 0.5;
            let d = if yc < y0 + r {
                y0 + r - yc
            } else if yc > y1 - r {
                yc - (y1 - r)
            } else {
                0.0
            };
            let inset = r - (r * r - d * d).max(0.0).sqrt();
            self.span(row, x0 + inset, x1 - inset, paint);
        }
    }

    /// Even-odd scanline fill of a closed polygon given in object units.
    fn polygon(&mut self, points: &[(f32, f32)], paint: impl Into<Paint>) {
        let paint = paint.into();
        if points.len() < 3 {
            return;
        }
        let pts: Vec<(f32, f32)> = points
            .iter()
            .map(|&(u, v)| (self.x(u), self.y(v)))
            .collect();
        let (mut ymin, mut ymax) = (f32::INFINITY, f32::NEG_INFINITY);
        for &(_, y) in &pts {
            ymin = ymin.min(y);
            ymax = ymax.max(y);
        }
        let mut xs: Vec<f32> = Vec::with_capacity(8);
        for row in self.rows(ymin, ymax) {
            let yc = row as f32 + 0.5;
            xs.clear();
            for i in 0..pts.len() {
                let (ax, ay) = pts[i];
                let (bx, by) = pts[(i + 1) % pts.len()];
                if (ay <= yc && yc < by) || (by <= yc && yc < ay) {
                    xs.push(ax + (yc - ay) * (bx - ax) / (by - ay));
                }
            }
            xs.sort_by(f32::total_cmp);
            for pair in xs.chunks_exact(2) {
                self.span(row, pair[0], pair[1], paint);
            }
        }
    }

    /// A straight stroke with round caps.
    fn line(&mut self, a: (f32, f32), b: (f32, f32), width: f32, paint: impl Into<Paint>) {
        let paint = paint.into();
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        let r = width * 0.5;
        if len > f32::EPSILON {
            let (nx, ny) = (-dy / len * r, dx / len * r);
            self.polygon(
                &[
                    (a.0 + nx, a.1 + ny),
                    (b.0 + nx, b.1 + ny),
                    (b.0 - nx, b.1 - ny),
                    (a.0 - nx, a.1 - ny),
                ],
                paint,
            );
        }
        // Translucent caps would double-blend over the body, so only cap opaque strokes.
        if paint.alpha >= 1.0 {
            self.circle(a.0, a.1, r, paint);
            self.circle(b.0, b.1, r, paint);
        }
    }

    /// A thick circular arc from angle `a0` to `a1` (radians, y pointing down).
    #[allow(clippy::too_many_arguments)]
    fn arc(
        &mut self,
        cx: f32,
        cy: f32,
        r: f32,
        width: f32,
        a0: f32,
        a1: f32,
        paint: impl Into<Paint>,
    ) {
        const STEPS: usize = 48;
        let (ro, ri) = (r + width * 0.5, r - width * 0.5);
        let mut pts = Vec::with_capacity(2 * (STEPS + 1));
        for i in 0..=STEPS {
            let t = a0 + (a1 - a0) * i as f32 / STEPS as f32;
            pts.push((cx + ro * t.cos(), cy + ro * t.sin()));
        }
        for i in (0..=STEPS).rev() {
            let t = a0 + (a1 - a0) * i as f32 / STEPS as f32;
            pts.push((cx + ri * t.cos(), cy + ri * t.sin()));
        }
        self.polygon(&pts, paint);
    }

    /// A pointed leaf growing from `base` at `angle` (radians, y down).
    fn leaf(
        &mut self,
        base: (f32, f32),
        angle: f32,
        len: f32,
        width: f32,
        paint: impl Into<Paint>,
    ) {
        const STEPS: usize = 24;
        let (c, s) = (angle.cos(), angle.sin());
        let mut pts = Vec::with_capacity(2 * STEPS + 2);
        let at = |t: f32, side: f32| {
            let along = t * len;
            // sin(PI) is a hair below zero in f32, and powf of a negative is NaN.
            let across = side * width * 0.5 * (PI * t).sin().max(0.0).powf(0.8);
            (
                base.0 + along * c - across * s,
                base.1 + along * s + across * c,
            )
        };
        for i in 0..=STEPS {
            pts.push(at(i as f32 / STEPS as f32, 1.0));
        }
        for i in (0..=STEPS).rev() {
            pts.push(at(i as f32 / STEPS as f32, -1.0));
        }
        self.polygon(&pts, paint);
    }

    /// Box-filters the supersampled canvas down to the output size.
    fn downsample(&self, width: u32, height: u32) -> RgbImage {
        let (w, h) = (width as usize, height as usize);
        let mut out = vec![0u8; w * h * 3];
        let n = (SS * SS) as u32;
        let mut acc = vec![[0u32; 3]; w];
        for (y, out_row) in out.chunks_exact_mut(w * 3).enumerate() {
            acc.fill([0; 3]);
            for sy in 0..SS {
                let line = &self.px[(y * SS + sy) * self.w..][..self.w];
                for (a, block) in acc.iter_mut().zip(line.chunks_exact(SS)) {
                    for p in block {
                        a[0] += u32::from(p[0]);
                        a[1] += u32::from(p[1]);
                        a[2] += u32::from(p[2]);
                    }
                }
            }
            for (dst, a) in out_row.chunks_exact_mut(3).zip(&acc) {
                for ch in 0..3 {
                    dst[ch] = ((a[ch] + n / 2) / n) as u8;
                }
            }
        }
        RgbImage::from_raw(width, height, out).expect("buffer is exactly width * height * 3 bytes")
    }
}

fn mug(c: &mut Canvas, p: &Palette) {
    // Steam first so the rim overlaps its roots.
    for (i, x) in [0.36f32, 0.5, 0.64].into_iter().enumerate() {
        let phase = i as f32 * 1.3;
        let mut prev = None;
        for k in 0..=16 {
            let t = k as f32 / 16.0;
            let pt = (x + 0.025 * (t * TAU + phase).sin(), 0.27 - t * 0.2);
            if let Some(q) = prev {
                c.line(q, pt, 0.02, Paint::blend(p.mist, 0.7));
            }
            prev = Some(pt);
        }
    }
    // Handle.
    c.arc(0.71, 0.6, 0.13, 0.065, -PI * 0.5, PI * 0.5, p.dark);
    // Body with a rounded foot; the right flank is the same shape, clipped.
    let body = |c: &mut Canvas, colour: Rgb| {
        c.round_rect(0.24, 0.32, 0.74, 0.98, 0.1, colour);
        c.rect(0.24, 0.32, 0.74, 0.6, colour);
    };
    body(c, p.base);
    c.set_clip(0.63, 0.0, 1.0, 1.0);
    body(c, p.dark);
    c.reset_clip();
    c.round_rect(0.3, 0.42, 0.35, 0.86, 0.025, p.light);
    // A band of glaze, shaded like the body.
    c.rect(0.24, 0.5, 0.63, 0.56, p.pale);
    c.rect(0.63, 0.5, 0.74, 0.56, p.light);
    // Rim and the drink inside.
    c.ellipse(0.49, 0.32, 0.25, 0.055, p.light);
    c.ellipse(0.49, 0.325, 0.215, 0.04, p.deep);
}

fn bottle(c: &mut Canvas, p: &Palette) {
    // Shoulders, body, neck; the shaded right side is the same outline clipped.
    let outline = |c: &mut Canvas, colour: Rgb| {
        c.polygon(
            &[(0.42, 0.24), (0.58, 0.24), (0.66, 0.36), (0.34, 0.36)],
            colour,
        );
        c.round_rect(0.34, 0.32, 0.66, 0.98, 0.07, colour);
        c.rect(0.43, 0.16, 0.57, 0.26, colour);
    };
    outline(c, p.base);
    c.set_clip(0.575, 0.0, 1.0, 1.0);
    outline(c, p.dark);
    c.reset_clip();
    // Cap.
    c.round_rect(0.41, 0.07, 0.59, 0.18, 0.025, p.deep);
    c.round_rect(0.43, 0.09, 0.455, 0.16, 0.01, p.dark);
    // Label and highlight.
    c.rect(0.34, 0.52, 0.66, 0.78, p.paper);
    c.rect(0.575, 0.52, 0.66, 0.78, mix(p.paper, p.dark, 0.15));
    c.rect(0.38, 0.6, 0.56, 0.625, p.light);
    c.rect(0.38, 0.66, 0.5, 0.68, p.pale);
    c.round_rect(0.38, 0.38, 0.41, 0.49, 0.015, p.light);
    c.round_rect(0.38, 0.81, 0.41, 0.92, 0.015, p.light);
}

fn book(c: &mut Canvas, p: &Palette) {
    // A book lying flat...
    c.round_rect(0.1, 0.8, 0.9, 0.98, 0.02, p.dark);
    c.rect(0.14, 0.83, 0.88, 0.95, p.paper);
    for i in 0..3 {
        let y = 0.86 + i as f32 * 0.03;
        c.rect(0.16, y, 0.87, y + 0.006, mix(p.paper, p.dark, 0.18));
    }
    c.rect(0.1, 0.8, 0.16, 0.98, p.deep);
    // ...with another standing on it, slightly tilted.
    let lean = 0.06;
    let (l, r, t, b) = (0.3, 0.68, 0.1, 0.8);
    c.polygon(&[(l + lean, t), (r + lean, t), (r, b), (l, b)], p.base);
    // Page block visible on the right edge.
    c.polygon(
        &[
            (r + lean, t + 0.015),
            (r + lean + 0.035, t + 0.03),
            (r + 0.035, b - 0.005),
            (r, b),
        ],
        mix(p.paper, p.dark, 0.22),
    );
    c.polygon(
        &[
            (r + lean, t + 0.015),
            (r + lean + 0.025, t + 0.026),
            (r + 0.025, b - 0.004),
            (r, b),
        ],
        p.paper,
    );
    // Spine shading and a title panel.
    c.polygon(
        &[(l + lean, t), (l + lean + 0.06, t), (l + 0.06, b), (l, b)],
        p.dark,
    );
    let panel = |y: f32| lean * (b - y) / (b - t);
    let (py0, py1) = (0.24, 0.42);
    c.polygon(
        &[
            (0.42 + panel(py0), py0),
            (0.62 + panel(py0), py0),
            (0.62 + panel(py1), py1),
            (0.42 + panel(py1), py1),
        ],
        p.pale,
    );
    let (ly0, ly1) = (0.3, 0.33);
    c.polygon(
        &[
            (0.46 + panel(ly0), ly0),
            (0.58 + panel(ly0), ly0),
            (0.58 + panel(ly1), ly1),
            (0.46 + panel(ly1), ly1),
        ],
        p.dark,
    );
    // A ribbon marker hanging out at the bottom.
    c.polygon(
        &[
            (0.56, b - 0.01),
            (0.6, b - 0.01),
            (0.6, b + 0.08),
            (0.58, b + 0.06),
            (0.56, b + 0.08),
        ],
        p.deep,
    );
}

fn shirt(c: &mut Canvas, p: &Palette) {
    let body = [
        (0.37, 0.1),
        (0.17, 0.2),
        (0.04, 0.42),
        (0.17, 0.5),
        (0.26, 0.38),
        (0.26, 0.96),
        (0.74, 0.96),
        (0.74, 0.38),
        (0.83, 0.5),
        (0.96, 0.42),
        (0.83, 0.2),
        (0.63, 0.1),
    ];
    c.polygon(&body, p.base);
    // Light falls from the left: the right side and sleeve fold sit in shade.
    c.polygon(
        &[(0.66, 0.4), (0.74, 0.38), (0.74, 0.96), (0.66, 0.96)],
        p.dark,
    );
    c.polygon(&[(0.74, 0.3), (0.83, 0.5), (0.74, 0.38)], p.dark);
    c.polygon(&[(0.26, 0.3), (0.17, 0.5), (0.26, 0.38)], p.dark);
    // Shoulder seams.
    c.line((0.37, 0.1), (0.22, 0.32), 0.008, p.dark);
    c.line((0.63, 0.1), (0.78, 0.32), 0.008, p.dark);
    // Cuffs and hem.
    c.polygon(
        &[(0.04, 0.42), (0.17, 0.5), (0.195, 0.465), (0.065, 0.385)],
        p.dark,
    );
    c.polygon(
        &[(0.96, 0.42), (0.83, 0.5), (0.805, 0.465), (0.935, 0.385)],
        p.dark,
    );
    c.rect(0.26, 0.92, 0.74, 0.96, p.dark);
    // Collar: the back of the neck seen through the opening.
    let mut neck = Vec::new();
    for i in 0..=24 {
        let t = PI * i as f32 / 24.0;
        neck.push((0.5 + 0.135 * t.cos(), 0.1 + 0.085 * t.sin()));
    }
    c.polygon(&neck, p.dark);
    let mut inner = Vec::new();
    for i in 0..=24 {
        let t = PI * i as f32 / 24.0;
        inner.push((0.5 + 0.105 * t.cos(), 0.1 + 0.06 * t.sin()));
    }
    c.polygon(&inner, p.deep);
    // Chest pocket.
    c.round_rect(0.55, 0.36, 0.65, 0.47, 0.012, p.dark);
    c.rect(0.55, 0.36, 0.65, 0.38, p.deep);
}

fn lamp(c: &mut Canvas, p: &Palette) {
    // Pool of light spilling from under the shade.
    c.polygon(
        &[(0.28, 0.44), (0.72, 0.44), (0.88, 0.92), (0.12, 0.92)],
        Paint::blend(p.paper, 0.35),
    );
    // Base and stem.
    c.ellipse(0.5, 0.955, 0.2, 0.035, p.deep);
    c.round_rect(0.3, 0.88, 0.7, 0.955, 0.03, p.dark);
    c.rect(0.475, 0.42, 0.525, 0.9, p.dark);
    c.rect(0.475, 0.42, 0.49, 0.9, p.light);
    c.ellipse(0.5, 0.72, 0.05, 0.025, p.deep);
    // Shade.
    c.polygon(
        &[(0.33, 0.1), (0.67, 0.1), (0.8, 0.46), (0.2, 0.46)],
        p.base,
    );
    c.polygon(
        &[(0.58, 0.1), (0.67, 0.1), (0.8, 0.46), (0.66, 0.46)],
        p.dark,
    );
    c.polygon(
        &[(0.37, 0.13), (0.42, 0.13), (0.34, 0.42), (0.28, 0.42)],
        p.light,
    );
    c.ellipse(0.5, 0.46, 0.3, 0.03, p.pale);
    c.rect(0.2, 0.44, 0.8, 0.46, p.deep);
    // Bulb glowing below the rim.
    c.ellipse(0.5, 0.48, 0.06, 0.035, lighten(p.pale, 0.5));
}

fn plant(c: &mut Canvas, p: &Palette) {
    let clay: Rgb = [201, 112, 78];
    let clay_dark = darken(clay, 0.22);
    let clay_light = lighten(clay, 0.2);

    // Leaves fan out from the soil; drawn back to front.
    let root = (0.5, 0.58);
    let leaves = [
        (-2.55f32, 0.36f32, 0.13f32, false),
        (-0.6, 0.36, 0.13, false),
        (-2.15, 0.46, 0.14, true),
        (-1.0, 0.46, 0.14, true),
        (-1.85, 0.5, 0.14, false),
        (-1.3, 0.52, 0.14, true),
        (-1.57, 0.56, 0.15, false),
    ];
    for (angle, len, width, light) in leaves {
        let colour = if light { p.light } else { p.base };
        c.leaf(root, angle, len, width, colour);
        let tip = (
            root.0 + angle.cos() * len * 0.82,
            root.1 + angle.sin() * len * 0.82,
        );
        c.line(root, tip, 0.008, p.dark);
    }
    // Pot with a rim, tapered body and shading.
    c.polygon(
        &[(0.28, 0.62), (0.72, 0.62), (0.66, 0.98), (0.34, 0.98)],
        clay,
    );
    c.polygon(
        &[(0.58, 0.62), (0.72, 0.62), (0.66, 0.98), (0.56, 0.98)],
        clay_dark,
    );
    c.round_rect(0.24, 0.56, 0.76, 0.66, 0.015, clay_light);
    c.rect(0.62, 0.56, 0.76, 0.66, clay);
    c.round_rect(0.33, 0.7, 0.36, 0.9, 0.012, clay_light);
}

fn headphones(c: &mut Canvas, p: &Palette) {
    // Headband.
    c.arc(0.5, 0.6, 0.33, 0.07, PI, TAU, p.dark);
    c.arc(0.5, 0.6, 0.33, 0.025, PI * 1.12, PI * 1.5, p.light);
    // Sliders joining band and cups.
    c.rect(0.155, 0.58, 0.185, 0.68, p.deep);
    c.rect(0.815, 0.58, 0.845, 0.68, p.deep);
    // Ear cups with cushions facing inwards.
    for (outer, cushion, sign) in [(0.17f32, 0.27f32, 1.0f32), (0.83, 0.73, -1.0)] {
        c.round_rect(outer - 0.08, 0.64, outer + 0.08, 0.96, 0.07, p.base);
        c.round_rect(cushion - 0.05, 0.66, cushion + 0.05, 0.94, 0.05, p.deep);
        c.round_rect(
            outer - 0.05 * sign - 0.015,
            0.7,
            outer - 0.05 * sign + 0.015,
            0.88,
            0.015,
            p.light,
        );
    }
}

fn chair(c: &mut Canvas, p: &Palette) {
    // Back legs, behind everything.
    c.line((0.36, 0.6), (0.35, 0.9), 0.04, p.deep);
    c.line((0.7, 0.6), (0.71, 0.9), 0.04, p.deep);
    // Backrest: two posts, a curved top rail and spindles.
    c.line((0.3, 0.62), (0.27, 0.12), 0.05, p.dark);
    c.line((0.7, 0.62), (0.73, 0.12), 0.05, p.dark);
    for x in [0.4f32, 0.5, 0.6] {
        c.line((x, 0.58), (x + (x - 0.5) * 0.1, 0.2), 0.03, p.base);
    }
    c.round_rect(0.24, 0.08, 0.76, 0.2, 0.05, p.base);
    c.round_rect(0.27, 0.1, 0.73, 0.13, 0.015, p.light);
    // Seat.
    c.polygon(
        &[(0.24, 0.58), (0.76, 0.58), (0.84, 0.68), (0.16, 0.68)],
        p.light,
    );
    c.rect(0.16, 0.68, 0.84, 0.72, p.dark);
    // Front legs with a stretcher.
    c.line((0.22, 0.71), (0.2, 0.98), 0.05, p.dark);
    c.line((0.78, 0.71), (0.8, 0.98), 0.05, p.dark);
    c.line((0.21, 0.86), (0.79, 0.86), 0.025, p.dark);
}

fn bag(c: &mut Canvas, p: &Palette) {
    // Handle: the back strap peeks out beside the front one.
    c.arc(0.54, 0.42, 0.17, 0.04, PI * 1.05, PI * 1.95, p.deep);
    c.arc(0.5, 0.42, 0.19, 0.05, PI, TAU, p.dark);
    // Body, shaded gusset, turned-over hem and front pocket.
    c.polygon(
        &[(0.22, 0.4), (0.78, 0.4), (0.85, 0.98), (0.15, 0.98)],
        p.base,
    );
    c.polygon(
        &[(0.66, 0.4), (0.78, 0.4), (0.85, 0.98), (0.72, 0.98)],
        p.dark,
    );
    c.polygon(
        &[(0.22, 0.4), (0.78, 0.4), (0.786, 0.455), (0.214, 0.455)],
        p.deep,
    );
    c.round_rect(0.3, 0.58, 0.62, 0.86, 0.02, p.light);
    c.rect(0.3, 0.58, 0.62, 0.61, p.pale);
    // Stitched seams on the pocket.
    for i in 0..7 {
        let x = 0.33 + i as f32 * 0.042;
        c.rect(x, 0.82, x + 0.022, 0.828, p.dark);
    }
    // Rivets where the front handle meets the body.
    c.circle(0.31, 0.44, 0.015, p.pale);
    c.circle(0.69, 0.44, 0.015, p.pale);
}

fn ball(c: &mut Canvas, p: &Palette) {
    let (cx, cy, r) = (0.5, 0.6, 0.37);
    // Darker full disc, then the lit disc nudged up-left leaves a shaded crescent.
    c.circle(cx, cy, r, p.dark);
    c.circle(cx - 0.022, cy - 0.022, r - 0.035, p.base);
    // Beach-ball style panels.
    c.ellipse(cx, cy, r * 0.42, r - 0.003, p.pale);
    c.ellipse(cx, cy, r * 0.14, r - 0.003, p.base);
    c.circle(cx, cy - r + 0.06, 0.03, p.light);
    // Specular highlight.
    c.ellipse(
        cx - 0.16,
        cy - 0.2,
        0.07,
        0.045,
        Paint::blend([255, 255, 255], 0.55),
    );
}

fn parcel(c: &mut Canvas, p: &Palette) {
    let (l, r, t, b) = (0.16, 0.68, 0.42, 0.98);
    let (dx, dy) = (0.16, -0.14);
    // Top, front and side faces of a box in oblique projection.
    c.polygon(
        &[(l, t), (r, t), (r + dx, t + dy), (l + dx, t + dy)],
        p.light,
    );
    c.rect(l, t, r, b, p.base);
    c.polygon(
        &[(r, t), (r + dx, t + dy), (r + dx, b + dy), (r, b)],
        p.dark,
    );
    // Ribbon around front, top and side, in a colour that stands out.
    let ribbon = p.contrast;
    let ribbon_shade = mix(ribbon, p.deep, 0.35);
    let m = (l + r) * 0.5;
    let band = 0.035;
    c.rect(m - band, t, m + band, b, ribbon);
    c.polygon(
        &[
            (m - band, t),
            (m + band, t),
            (m + band + dx, t + dy),
            (m - band + dx, t + dy),
        ],
        ribbon,
    );
    let (hx, hy) = (dx * 0.5, dy * 0.5);
    let hb = band * 0.7;
    c.polygon(
        &[
            (l + hx, t + hy - hb),
            (r + hx, t + hy - hb),
            (r + hx, t + hy + hb),
            (l + hx, t + hy + hb),
        ],
        ribbon,
    );
    let sm = (t + b) * 0.5;
    c.polygon(
        &[
            (r, sm - band),
            (r + dx, sm - band + dy),
            (r + dx, sm + band + dy),
            (r, sm + band),
        ],
        ribbon_shade,
    );
    // A bow on top: two loops and a knot.
    let knot = (m + hx, t + hy);
    let inner = mix(ribbon, p.base, 0.45);
    for angle in [-2.25f32, -0.9] {
        c.leaf(knot, angle, 0.2, 0.15, ribbon);
        c.leaf(knot, angle, 0.13, 0.055, inner);
    }
    c.ellipse(knot.0, knot.1, 0.04, 0.03, ribbon_shade);
}

fn watch(c: &mut Canvas, p: &Palette) {
    let (cx, cy) = (0.5, 0.53);
    // Strap running off top and bottom, with stitched keeper holes.
    c.round_rect(0.4, 0.02, 0.6, 0.99, 0.04, p.deep);
    c.rect(0.42, 0.02, 0.45, 0.99, mix(p.deep, p.dark, 0.5));
    for y in [0.82f32, 0.89] {
        c.circle(0.5, y, 0.014, darken(p.deep, 0.35));
    }
    // Case, crown, dial.
    c.round_rect(0.74, cy - 0.04, 0.79, cy + 0.04, 0.015, p.dark);
    c.circle(cx, cy, 0.26, p.base);
    c.circle(cx + 0.01, cy + 0.01, 0.25, p.dark);
    c.circle(cx, cy, 0.24, p.base);
    c.circle(cx, cy, 0.205, p.paper);
    // Hour ticks; quarters are longer.
    for i in 0..12 {
        let a = i as f32 * TAU / 12.0;
        let (r0, w) = if i % 3 == 0 {
            (0.15, 0.018)
        } else {
            (0.172, 0.01)
        };
        let (s, co) = (a.sin(), a.cos());
        c.line(
            (cx + co * r0, cy + s * r0),
            (cx + co * 0.188, cy + s * 0.188),
            w,
            p.deep,
        );
    }
    // Hands at ten past ten, the watchmaker's smile.
    let hour = -PI * 0.5 + TAU * (10.0 + 10.0 / 60.0) / 12.0;
    let minute = -PI * 0.5 + TAU * 10.0 / 60.0;
    c.line(
        (cx, cy),
        (cx + hour.cos() * 0.11, cy + hour.sin() * 0.11),
        0.024,
        p.deep,
    );
    c.line(
        (cx, cy),
        (cx + minute.cos() * 0.16, cy + minute.sin() * 0.16),
        0.016,
        p.deep,
    );
    let second = -PI * 0.5 + TAU * 38.0 / 60.0;
    c.line(
        (cx, cy),
        (cx + second.cos() * 0.17, cy + second.sin() * 0.17),
        0.006,
        p.light,
    );
    c.circle(cx, cy, 0.018, p.deep);
}

fn teddy(c: &mut Canvas, p: &Palette) {
    // Legs and arms behind the body.
    c.ellipse(0.34, 0.9, 0.1, 0.08, p.dark);
    c.ellipse(0.66, 0.9, 0.1, 0.08, p.dark);
    c.ellipse(0.34, 0.92, 0.055, 0.045, p.pale);
    c.ellipse(0.66, 0.92, 0.055, 0.045, p.pale);
    c.line((0.36, 0.6), (0.25, 0.74), 0.11, p.dark);
    c.line((0.64, 0.6), (0.75, 0.74), 0.11, p.dark);
    // Body and belly.
    c.ellipse(0.5, 0.72, 0.21, 0.22, p.base);
    c.ellipse(0.5, 0.76, 0.12, 0.13, p.light);
    // Ears.
    for x in [0.34f32, 0.66] {
        c.circle(x, 0.17, 0.085, p.base);
        c.circle(x, 0.17, 0.045, p.light);
    }
    // Head, muzzle, face.
    c.circle(0.5, 0.32, 0.2, p.base);
    c.ellipse(0.5, 0.4, 0.09, 0.07, p.pale);
    c.ellipse(0.5, 0.37, 0.035, 0.024, p.deep);
    c.line((0.5, 0.38), (0.5, 0.42), 0.01, p.deep);
    c.arc(0.48, 0.42, 0.02, 0.009, 0.2, PI * 0.9, p.deep);
    c.arc(0.52, 0.42, 0.02, 0.009, PI * 0.1, PI * 0.8, p.deep);
    c.circle(0.43, 0.28, 0.022, p.deep);
    c.circle(0.57, 0.28, 0.022, p.deep);
    c.circle(0.437, 0.273, 0.007, [255, 255, 255]);
    c.circle(0.577, 0.273, 0.007, [255, 255, 255]);
    // Ribbon bow under the chin.
    c.polygon(&[(0.5, 0.53), (0.41, 0.49), (0.41, 0.57)], p.deep);
    c.polygon(&[(0.5, 0.53), (0.59, 0.49), (0.59, 0.57)], p.deep);
    c.circle(0.5, 0.53, 0.022, darken(p.deep, 0.2));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(motif: Motif) -> Art {
        Art {
            motif,
            background: [240, 228, 206],
            accent: [196, 98, 67],
        }
    }

    #[test]
    fn render_is_deterministic() {
        for motif in Motif::ALL {
            let a = render(&sample(motif), 160, 120);
            let b = render(&sample(motif), 160, 120);
            assert_eq!(a.as_raw(), b.as_raw(), "{motif:?} differs between runs");
        }
    }

    #[test]
    fn dimensions_are_honoured() {
        for (w, h) in [(640, 480), (300, 300), (120, 400), (1, 1), (7, 3)] {
            let img = render(&sample(Motif::Mug), w, h);
            assert_eq!(img.dimensions(), (w, h));
        }
        assert_eq!(render(&sample(Motif::Mug), 0, 10).dimensions(), (0, 10));
    }

    #[test]
    fn image_is_not_flat() {
        for motif in Motif::ALL {
            let img = render(&sample(motif), 200, 150);
            let first = *img.get_pixel(0, 0);
            assert!(
                img.pixels().any(|p| *p != first),
                "{motif:?} is a single colour"
            );
            // The accent must actually appear, not just the backdrop gradient.
            let accentish = img
                .pixels()
                .filter(|p| {
                    p.0.iter()
                        .zip(sample(motif).accent)
                        .all(|(&a, b)| a.abs_diff(b) < 40)
                })
                .count();
            assert!(
                accentish > 200,
                "{motif:?} barely shows its accent ({accentish} px)"
            );
        }
    }

    #[test]
    fn different_art_gives_different_pictures() {
        let a = render(&sample(Motif::Mug), 120, 90);
        let b = render(&sample(Motif::Ball), 120, 90);
        assert_ne!(a.as_raw(), b.as_raw());
    }
}
