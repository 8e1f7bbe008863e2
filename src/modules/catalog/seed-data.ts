import { readdir, readFile } from 'node:fs/promises';
import { variantsHash, type ProcessedImage } from './image-processing.js';

/** A demo category, by the slug its products name it by. */
export interface DemoCategory {
  slug: string;
  name: string;
}

export const demoCategories: readonly DemoCategory[] = [
  { slug: 'clothing', name: 'Clothing' },
  { slug: 'coffee-and-tea', name: 'Coffee & Tea' },
  { slug: 'stationery', name: 'Stationery' },
];

/**
 * A demo product: without options, its own sku, price and stock (its one variant); with them,
 * its variants. `drawings` are its images in display order, each `demo-images/<name>.svg` by
 * its lower-case name (default: the sku's); a variant's `drawing` is its image among them.
 */
export interface DemoProduct {
  sku: string;
  name: string;
  description: string;
  price?: number;
  stock?: number;
  options?: { name: string; values: string[] }[];
  variants?: {
    sku: string;
    options: Record<string, string>;
    price: number;
    stock?: number;
    drawing?: string;
  }[];
  drawings?: string[];
  /** Slugs of demoCategories. */
  categories?: string[];
}

/** A demo product's drawings, by name, in display order. */
export const drawingsOf = (product: DemoProduct): string[] => product.drawings ?? [product.sku];

/**
 * The demo catalog `ordo seed` and the first embedded start create, in this order. Prices in
 * minor units. The products with options come first, so they are the oldest: the newest
 * products, which a list shows first, are each one variant (an order by productId, as older
 * clients and scripts place one, takes them).
 */
export const demoProducts: readonly DemoProduct[] = [
  {
    sku: 'TEE-ORGANIC',
    name: 'Organic Cotton T-Shirt',
    description:
      'Heavyweight organic cotton tee with a relaxed fit, garment-dyed in two colours. ' +
      'Large is sold out in red and not made in blue.',
    options: [
      { name: 'Size', values: ['S', 'M', 'L'] },
      { name: 'Colour', values: ['Red', 'Blue'] },
    ],
    variants: [
      {
        sku: 'TEE-ORGANIC-S-RED',
        options: { Size: 'S', Colour: 'Red' },
        price: 2500,
        stock: 12,
        drawing: 'TEE-ORGANIC-RED',
      },
      {
        sku: 'TEE-ORGANIC-M-RED',
        options: { Size: 'M', Colour: 'Red' },
        price: 2500,
        stock: 8,
        drawing: 'TEE-ORGANIC-RED',
      },
      {
        sku: 'TEE-ORGANIC-L-RED',
        options: { Size: 'L', Colour: 'Red' },
        price: 2700,
        stock: 0,
        drawing: 'TEE-ORGANIC-RED',
      },
      {
        sku: 'TEE-ORGANIC-S-BLUE',
        options: { Size: 'S', Colour: 'Blue' },
        price: 2500,
        stock: 6,
        drawing: 'TEE-ORGANIC-BLUE',
      },
      {
        sku: 'TEE-ORGANIC-M-BLUE',
        options: { Size: 'M', Colour: 'Blue' },
        price: 2500,
        stock: 4,
        drawing: 'TEE-ORGANIC-BLUE',
      },
    ],
    drawings: ['TEE-ORGANIC-RED', 'TEE-ORGANIC-BLUE'],
    categories: ['clothing'],
  },
  {
    sku: 'BEANIE-MERINO',
    name: 'Merino Rib Beanie',
    description: 'A soft rib-knit beanie in fine merino wool, one size with a deep turn-up.',
    options: [{ name: 'Colour', values: ['Charcoal', 'Mustard'] }],
    variants: [
      { sku: 'BEANIE-MERINO-CHAR', options: { Colour: 'Charcoal' }, price: 2200, stock: 15 },
      { sku: 'BEANIE-MERINO-MUST', options: { Colour: 'Mustard' }, price: 2200, stock: 9 },
    ],
    categories: ['clothing'],
  },
  {
    sku: 'DRIPPER-CER',
    name: 'Ceramic Pour-Over Dripper',
    description:
      'A glazed porcelain cone with spiral ribs for an even draw. Takes #01 or #02 filters.',
    options: [{ name: 'Size', values: ['01', '02'] }],
    variants: [
      { sku: 'DRIPPER-CER-01', options: { Size: '01' }, price: 2400, stock: 20 },
      { sku: 'DRIPPER-CER-02', options: { Size: '02' }, price: 2800, stock: 14 },
    ],
    categories: ['coffee-and-tea'],
  },
  {
    sku: 'MUG-STONE-12',
    name: 'Stoneware Mug, 12 oz',
    price: 1800,
    stock: 120,
    description: 'Hand-glazed stoneware mug in speckled oat. Dishwasher and microwave safe.',
  },
  {
    sku: 'TEA-SENCHA-100',
    name: 'Organic Sencha Green Tea, 100 g',
    price: 1450,
    stock: 80,
    description: 'First-flush Japanese sencha with a bright, grassy cup. Resealable pouch.',
    categories: ['coffee-and-tea'],
  },
  {
    sku: 'COF-ETH-250',
    name: 'Ethiopia Yirgacheffe Coffee Beans, 250 g',
    price: 1695,
    stock: 60,
    description: 'Washed light roast with notes of jasmine, bergamot and lemon.',
    categories: ['coffee-and-tea'],
  },
  {
    sku: 'COF-GRINDER-HND',
    name: 'Hand Coffee Grinder',
    price: 7900,
    stock: 25,
    description: 'Conical steel burrs with 40 click settings, from espresso to cold brew.',
    categories: ['coffee-and-tea'],
  },
  {
    sku: 'KETTLE-GOOSE-1L',
    name: 'Gooseneck Pour-Over Kettle, 1 L',
    price: 5400,
    stock: 30,
    description: 'Stainless steel kettle with a precise spout and built-in thermometer.',
  },
  {
    sku: 'BOARD-OAK-L',
    name: 'Oak Cutting Board, Large',
    price: 6200,
    stock: 18,
    description: 'End-grain European oak, 45 x 30 cm, finished with food-safe oil.',
  },
  {
    sku: 'KNIFE-CHEF-8',
    name: "Chef's Knife, 8 in",
    price: 12900,
    stock: 14,
    description: 'Forged high-carbon stainless blade with a full tang and pakkawood handle.',
  },
  {
    sku: 'PAN-CAST-26',
    name: 'Cast Iron Skillet, 26 cm',
    price: 4900,
    stock: 40,
    description: 'Pre-seasoned cast iron for searing, baking and everything between.',
  },
  {
    sku: 'TOWEL-LINEN-2',
    name: 'Linen Tea Towels, Set of 2',
    price: 2400,
    stock: 75,
    description: 'Stonewashed European flax linen that dries fast and softens with use.',
  },
  {
    sku: 'CANDLE-CEDAR',
    name: 'Cedar & Sage Soy Candle',
    price: 3200,
    stock: 50,
    description: 'Hand-poured soy wax with a cotton wick; about 50 hours of burn time.',
  },
  {
    sku: 'THROW-WOOL-GRY',
    name: 'Merino Wool Throw, Grey',
    price: 11900,
    stock: 12,
    description: 'Soft merino throw blanket, 130 x 170 cm, woven in Portugal.',
  },
  {
    sku: 'PLANTER-CER-M',
    name: 'Ceramic Planter, Medium',
    price: 3800,
    stock: 35,
    description: 'Matte white planter with a drainage hole and saucer, 15 cm across.',
  },
  {
    sku: 'NOTE-DOT-A5',
    name: 'Dot Grid Notebook, A5',
    price: 1900,
    stock: 150,
    description: '192 numbered pages of 100 gsm paper that takes fountain pen ink.',
    categories: ['stationery'],
  },
  {
    sku: 'PEN-FOUNTAIN-F',
    name: 'Fountain Pen, Fine Nib',
    price: 4500,
    stock: 28,
    description: 'Brass body with a steel fine nib and a converter for bottled ink.',
    categories: ['stationery'],
  },
  {
    sku: 'INK-BLUE-50',
    name: 'Blue-Black Fountain Pen Ink, 50 ml',
    price: 1600,
    stock: 64,
    description: 'Water-resistant iron gall-free ink with a deep blue-black shade.',
    categories: ['stationery'],
  },
  {
    sku: 'BAG-TOTE-CAN',
    name: 'Waxed Canvas Tote',
    price: 8800,
    stock: 22,
    description: 'Waxed cotton canvas with leather handles and an inside zip pocket.',
  },
  {
    sku: 'BOTTLE-STEEL-750',
    name: 'Insulated Steel Bottle, 750 ml',
    price: 3500,
    stock: 90,
    description: 'Keeps drinks cold for 24 hours or hot for 12. Leak-proof lid.',
  },
  {
    sku: 'SOCKS-WOOL-3',
    name: 'Wool Hiking Socks, 3 Pairs',
    price: 2900,
    stock: 100,
    description: 'Cushioned merino blend socks with reinforced heels and toes.',
    categories: ['clothing'],
  },
  {
    sku: 'LAMP-DESK-BRS',
    name: 'Brass Desk Lamp',
    price: 15900,
    stock: 9,
    description: 'Adjustable arm lamp in brushed brass with a warm dimmable LED.',
  },
  {
    sku: 'CLOCK-WALL-30',
    name: 'Minimal Wall Clock, 30 cm',
    price: 5900,
    stock: 16,
    description: 'Silent sweep movement in an ash wood frame.',
  },
  {
    sku: 'SOAP-OLIVE-3',
    name: 'Olive Oil Soap Bars, Set of 3',
    price: 1500,
    stock: 110,
    description: 'Cold-process soap with olive oil and shea butter. Unscented.',
  },
  {
    sku: 'PUZZLE-1000-MAP',
    name: 'Vintage Map Jigsaw Puzzle, 1000 pieces',
    price: 2600,
    stock: 40,
    description: 'A 1890s world map reproduced on thick recycled board.',
  },
  {
    sku: 'HEADPH-WL-BLK',
    name: 'Wireless Headphones, Black',
    price: 19900,
    stock: 20,
    description: 'Over-ear headphones with active noise cancelling and 30-hour battery.',
  },
  {
    sku: 'SPEAKER-MINI',
    name: 'Portable Bluetooth Speaker',
    price: 6900,
    stock: 0,
    description: 'Water-resistant mini speaker with 12 hours of play. Back in stock soon.',
  },
];

// Resolves from src/ and dist/ alike: the drawings ship in the package source, as migrations do.
const demoImagesDir = new URL('../../../src/modules/catalog/demo-images/', import.meta.url);
const renderedDir = new URL('rendered/', demoImagesDir);
const RENDERED = /^(?<width>\d+)x(?<height>\d+)\.webp$/;

/**
 * A demo product's image as the upload pipeline renders its drawing: the variants
 * `demo-images/render.ts` wrote (`rendered/<sku in lower case>-<width>x<height>.webp`), read as
 * they are, or undefined for a product without a drawing. Seeding decodes no image, so a first
 * start never loads sharp (about 150 MB of resident memory that would stay).
 */
export async function demoImage(sku: string): Promise<ProcessedImage | undefined> {
  const prefix = `${sku.toLowerCase()}-`;
  const found = (await readdir(renderedDir)).flatMap((name) => {
    const size = name.startsWith(prefix) ? RENDERED.exec(name.slice(prefix.length)) : null;
    return size
      ? [{ name, width: Number(size.groups!.width), height: Number(size.groups!.height) }]
      : [];
  });
  if (found.length === 0) return undefined;
  const variants = await Promise.all(
    found
      .sort((a, b) => b.width - a.width)
      .map(async ({ name, width, height }) => ({
        width,
        height,
        bytes: await readFile(new URL(name, renderedDir)),
      })),
  );
  return { hash: variantsHash(variants), variants };
}

/** The WebP file an admin would upload for a demo product (`demo-images/<sku>.webp`), or undefined. */
export async function demoUpload(sku: string): Promise<Buffer | undefined> {
  try {
    return await readFile(new URL(`${sku.toLowerCase()}.webp`, demoImagesDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
