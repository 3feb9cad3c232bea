//! The demo catalogue a fresh shop is seeded with: categories, products and
//! the recipe for each product's illustration, as plain static data.
//!
//! Everything here is `const` so the seeder and the tests can rely on it
//! without any I/O; the pictures themselves are produced by
//! [`super::art::render`] from each product's [`Art`].

/// A category shown in the shop's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoCategory {
    /// URL-safe identifier, referenced by [`DemoProduct::category`].
    pub slug: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

/// A product the demo shop sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProduct {
    /// Unique and stable across releases: the seeder keys idempotence on it.
    pub sku: &'static str,
    /// Slug of one of [`CATEGORIES`].
    pub category: &'static str,
    pub name: &'static str,
    /// Two to four sentences of plain text.
    pub description: &'static str,
    /// Price in euro cents.
    pub price_cents: i64,
    /// Units on hand, `0..=250`; zero means sold out.
    pub stock: i64,
    pub art: Art,
}

/// How a product's picture is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Art {
    pub motif: Motif,
    /// Base colour of the backdrop gradient (sRGB).
    pub background: [u8; 3],
    /// Main colour of the object; darker and lighter shades are derived from it.
    pub accent: [u8; 3],
}

/// The simple object shapes the illustration generator knows how to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Motif {
    Mug,
    Bottle,
    Book,
    Shirt,
    Lamp,
    Plant,
    Headphones,
    Chair,
    Bag,
    Ball,
    Box,
    Watch,
    Teddy,
}

impl Motif {
    /// Every motif, so tooling and tests can iterate without a macro.
    pub const ALL: [Motif; 13] = [
        Motif::Mug,
        Motif::Bottle,
        Motif::Book,
        Motif::Shirt,
        Motif::Lamp,
        Motif::Plant,
        Motif::Headphones,
        Motif::Chair,
        Motif::Bag,
        Motif::Ball,
        Motif::Box,
        Motif::Watch,
        Motif::Teddy,
    ];
}

const fn art(motif: Motif, background: [u8; 3], accent: [u8; 3]) -> Art {
    Art {
        motif,
        background,
        accent,
    }
}

// Soft backdrops: light enough that every accent below keeps good contrast.
const CREAM: [u8; 3] = [246, 239, 226];
const SAGE: [u8; 3] = [223, 235, 221];
const SKY: [u8; 3] = [219, 232, 246];
const BLUSH: [u8; 3] = [248, 225, 222];
const SAND: [u8; 3] = [240, 228, 206];
const LILAC: [u8; 3] = [232, 225, 244];
const MINT: [u8; 3] = [216, 240, 232];
const BUTTER: [u8; 3] = [250, 240, 200];
const STONE: [u8; 3] = [230, 230, 226];
const PEACH: [u8; 3] = [252, 228, 208];

// Object colours, saturated enough to read as the subject of the picture.
const TERRACOTTA: [u8; 3] = [196, 98, 67];
const OLIVE: [u8; 3] = [118, 132, 62];
const NAVY: [u8; 3] = [44, 66, 116];
const MUSTARD: [u8; 3] = [214, 160, 42];
const FOREST: [u8; 3] = [48, 112, 80];
const TEAL: [u8; 3] = [30, 130, 132];
const PLUM: [u8; 3] = [124, 62, 112];
const CORAL: [u8; 3] = [234, 112, 92];
const CHARCOAL: [u8; 3] = [60, 64, 72];
const SLATE: [u8; 3] = [86, 112, 142];
const BRASS: [u8; 3] = [192, 150, 72];
const BERRY: [u8; 3] = [178, 50, 84];
const ESPRESSO: [u8; 3] = [112, 74, 52];
const LEAF: [u8; 3] = [78, 152, 84];
const CORNFLOWER: [u8; 3] = [72, 128, 206];
const TOMATO: [u8; 3] = [212, 64, 56];
const OAK: [u8; 3] = [184, 134, 86];
const OAT: [u8; 3] = [200, 176, 140];

/// Demo categories, in navigation order.
pub const CATEGORIES: &[DemoCategory] = &[
    DemoCategory {
        slug: "kitchen",
        name: "Kitchen",
        description: "Everyday tools and tableware for people who like to cook and linger over breakfast.",
    },
    DemoCategory {
        slug: "home",
        name: "Home",
        description: "Lighting, plants and small furniture to make a room feel lived in.",
    },
    DemoCategory {
        slug: "books",
        name: "Books & Stationery",
        description: "Cookbooks, field guides, essays and notebooks picked by the people behind the counter.",
    },
    DemoCategory {
        slug: "apparel",
        name: "Apparel",
        description: "Well-made basics and bags in natural fabrics, designed to be worn for years.",
    },
    DemoCategory {
        slug: "outdoor",
        name: "Outdoor",
        description: "Gear for picnics, hikes and nights under canvas, sturdy enough for real weather.",
    },
    DemoCategory {
        slug: "audio",
        name: "Audio & Tech",
        description: "Headphones, speakers and clever little gadgets with a warm, unfussy design.",
    },
    DemoCategory {
        slug: "toys",
        name: "Toys & Games",
        description: "Wooden toys, soft companions and games that survive enthusiastic play.",
    },
];

/// Demo products, grouped by category.
pub const PRODUCTS: &[DemoProduct] = &[
    // Kitchen
    DemoProduct {
        sku: "KIT-001",
        category: "kitchen",
        name: "Stoneware Coffee Mug",
        description: "A generous 350 ml mug thrown in stoneware and finished in a speckled glaze. The thick walls keep your coffee warm through the first email of the day. Dishwasher and microwave safe.",
        price_cents: 1890,
        stock: 120,
        art: art(Motif::Mug, CREAM, TERRACOTTA),
    },
    DemoProduct {
        sku: "KIT-002",
        category: "kitchen",
        name: "Café au Lait Bowl Set",
        description: "Two wide, footless bowls for milky coffee, porridge or a big helping of soup. Glazed inside and out in a soft duck-egg blue. Made in a small pottery in Brittany.",
        price_cents: 3200,
        stock: 40,
        art: art(Motif::Mug, SKY, SLATE),
    },
    DemoProduct {
        sku: "KIT-003",
        category: "kitchen",
        name: "Ceramic Pour-Over Dripper",
        description: "A single-cup dripper with spiral ribs that let the coffee bloom and drain evenly. Fits standard size 2 paper filters and sits securely on most mugs. Brews a clean, bright cup in about three minutes.",
        price_cents: 2450,
        stock: 65,
        art: art(Motif::Mug, BLUSH, CORAL),
    },
    DemoProduct {
        sku: "KIT-004",
        category: "kitchen",
        name: "Linen Tea Towel Trio",
        description: "Three stonewashed linen tea towels in natural, rust and sage. Linen is lint-free and dries glasses without streaks, and it only gets softer with every wash. Each towel has a cotton loop for hanging.",
        price_cents: 2200,
        stock: 4,
        art: art(Motif::Box, SAND, OAT),
    },
    DemoProduct {
        sku: "KIT-005",
        category: "kitchen",
        name: "Insulated Water Bottle 750 ml",
        description: "Double-walled stainless steel keeps drinks cold for 24 hours or hot for 12. The powder-coated finish is grippy and does not sweat in your bag. Leak-proof bamboo lid included.",
        price_cents: 2900,
        stock: 200,
        art: art(Motif::Bottle, MINT, TEAL),
    },
    DemoProduct {
        sku: "KIT-006",
        category: "kitchen",
        name: "Olive Wood Salad Servers",
        description: "A pair of servers carved from the pruned branches of olive trees, so no tree is felled to make them. Every set has its own grain. Rub with a little oil now and then and they will last a lifetime.",
        price_cents: 3400,
        stock: 0,
        art: art(Motif::Box, SAGE, OLIVE),
    },
    DemoProduct {
        sku: "KIT-007",
        category: "kitchen",
        name: "Crème Brûlée Ramekins, Set of 4",
        description: "Shallow porcelain ramekins sized for crème brûlée, baked eggs or individual crumbles. They go from freezer to oven to table. The fluted outside hides fingerprints nicely.",
        price_cents: 2600,
        stock: 55,
        art: art(Motif::Mug, BUTTER, MUSTARD),
    },
    DemoProduct {
        sku: "KIT-008",
        category: "kitchen",
        name: "Cold Brew Coffee Jar",
        description: "A one-litre glass jar with a fine stainless mesh filter for steeping coffee overnight in the fridge. Cold brewing gives a smooth, low-acid concentrate. The filter lifts out for easy cleaning.",
        price_cents: 3600,
        stock: 30,
        art: art(Motif::Bottle, CREAM, ESPRESSO),
    },
    DemoProduct {
        sku: "KIT-009",
        category: "kitchen",
        name: "Swiss Müsli Canister",
        description: "An airtight tin canister that holds about a kilo of müsli, oats or coffee beans. The lid has a silicone seal and a small window so you can see when it is time to refill.",
        price_cents: 1950,
        stock: 88,
        art: art(Motif::Box, PEACH, TOMATO),
    },
    // Home
    DemoProduct {
        sku: "HOM-001",
        category: "home",
        name: "Brass Reading Lamp",
        description: "A compact table lamp with a brushed brass stem and a fabric shade that gives a warm, glare-free light. The weighted base stays put on a bedside table. Takes a standard E27 bulb.",
        price_cents: 8900,
        stock: 18,
        art: art(Motif::Lamp, CREAM, BRASS),
    },
    DemoProduct {
        sku: "HOM-002",
        category: "home",
        name: "Washed Linen Cushion Cover",
        description: "A 50 by 50 cm cushion cover in heavyweight washed linen with a hidden zip. The relaxed texture looks right on a sofa, a bed or a reading chair. Cushion inner not included.",
        price_cents: 3500,
        stock: 90,
        art: art(Motif::Box, STONE, SLATE),
    },
    DemoProduct {
        sku: "HOM-003",
        category: "home",
        name: "Snake Plant in Terracotta",
        description: "A hardy snake plant about 45 cm tall, potted in a classic terracotta pot. It tolerates low light and forgetful watering. A good first plant for a north-facing flat.",
        price_cents: 2800,
        stock: 45,
        art: art(Motif::Plant, SAGE, FOREST),
    },
    DemoProduct {
        sku: "HOM-004",
        category: "home",
        name: "Oak Spindle Side Chair",
        description: "A light, stackable side chair in solid oak with a steam-bent back and turned spindles. Finished with a hard-wax oil that is easy to touch up. Delivered fully assembled.",
        price_cents: 14900,
        stock: 3,
        art: art(Motif::Chair, SAND, OAK),
    },
    DemoProduct {
        sku: "HOM-005",
        category: "home",
        name: "Beeswax Pillar Candle",
        description: "Hand-poured from pure beeswax with a cotton wick, this candle burns for around 40 hours. Beeswax gives off a faint scent of honey and very little soot.",
        price_cents: 1450,
        stock: 160,
        art: art(Motif::Lamp, BUTTER, MUSTARD),
    },
    DemoProduct {
        sku: "HOM-006",
        category: "home",
        name: "Trailing Pothos in Macramé Hanger",
        description: "A lush golden pothos in a nursery pot, sold with a hand-knotted cotton macramé hanger. It grows quickly in bright, indirect light. Let the soil dry out between waterings.",
        price_cents: 2400,
        stock: 0,
        art: art(Motif::Plant, MINT, LEAF),
    },
    DemoProduct {
        sku: "HOM-007",
        category: "home",
        name: "Paper Globe Pendant Shade",
        description: "A 40 cm rice-paper globe that softens any ceiling light. It folds flat for delivery and opens up with a simple wire frame. Pair it with a warm LED bulb.",
        price_cents: 4200,
        stock: 25,
        art: art(Motif::Lamp, PEACH, CORAL),
    },
    DemoProduct {
        sku: "HOM-008",
        category: "home",
        name: "Woven Seagrass Basket",
        description: "A roomy basket woven from seagrass with two sturdy handles. Use it for blankets, logs or the toys that need tidying before guests arrive.",
        price_cents: 3900,
        stock: 60,
        art: art(Motif::Bag, SAND, OAT),
    },
    DemoProduct {
        sku: "HOM-009",
        category: "home",
        name: "Birch Wall Clock",
        description: "A silent-sweep wall clock with a birch plywood face and slim black hands. No ticking, so it is at home in a bedroom. Runs on one AA battery.",
        price_cents: 5400,
        stock: 12,
        art: art(Motif::Watch, STONE, CHARCOAL),
    },
    // Books & Stationery
    DemoProduct {
        sku: "BOO-001",
        category: "books",
        name: "The Slow Coffee Handbook",
        description: "A friendly guide to brewing better coffee at home, from grinding and water temperature to the perfect pour-over. Packed with diagrams and recipes from small roasters across Europe. Hardback, 208 pages.",
        price_cents: 2400,
        stock: 75,
        art: art(Motif::Book, CREAM, ESPRESSO),
    },
    DemoProduct {
        sku: "BOO-002",
        category: "books",
        name: "Sourdough at Home",
        description: "Everything you need to raise a starter and bake a crackling loaf in an ordinary oven. The author runs a bakery in Ghent and explains each step with photographs. Includes a chapter on using up leftover starter.",
        price_cents: 2800,
        stock: 50,
        art: art(Motif::Book, SAND, TERRACOTTA),
    },
    DemoProduct {
        sku: "BOO-003",
        category: "books",
        name: "Field Guide to Garden Birds",
        description: "A pocket-sized guide to the 120 birds you are most likely to see from your window. Each species has a watercolour plate, a range map and notes on its song.",
        price_cents: 1990,
        stock: 42,
        art: art(Motif::Book, SAGE, FOREST),
    },
    DemoProduct {
        sku: "BOO-004",
        category: "books",
        name: "A Year of Müsli and Porridge",
        description: "Fifty-two breakfast recipes, one for every week of the year, from Bircher müsli to spiced winter porridge. Most can be prepared the night before. Paperback with lay-flat binding.",
        price_cents: 1850,
        stock: 2,
        art: art(Motif::Book, BUTTER, MUSTARD),
    },
    DemoProduct {
        sku: "BOO-005",
        category: "books",
        name: "Dot-Grid Notebook A5",
        description: "A5 notebook with 192 numbered pages of 100 gsm paper that takes fountain pen ink without bleeding. Linen-bound cover, two ribbon markers and an index at the front.",
        price_cents: 1400,
        stock: 230,
        art: art(Motif::Book, LILAC, PLUM),
    },
    DemoProduct {
        sku: "BOO-006",
        category: "books",
        name: "Pocket Atlas of the Night Sky",
        description: "Star charts for every month of the year, printed in red-light friendly ink for use outdoors. Small enough for a jacket pocket and tough enough for damp grass.",
        price_cents: 1600,
        stock: 0,
        art: art(Motif::Book, SKY, NAVY),
    },
    DemoProduct {
        sku: "BOO-007",
        category: "books",
        name: "Small Rooms, Big Ideas",
        description: "Twenty small homes from Lisbon to Helsinki, photographed and explained by the people who live in them. Full of clever storage and honest advice about living with less space.",
        price_cents: 3200,
        stock: 27,
        art: art(Motif::Book, BLUSH, BERRY),
    },
    DemoProduct {
        sku: "BOO-008",
        category: "books",
        name: "Letters from the Fjords",
        description: "A collection of essays written over one winter in a fishing village in western Norway. Quiet, funny and beautifully observed. Paperback, 176 pages.",
        price_cents: 2100,
        stock: 33,
        art: art(Motif::Book, MINT, TEAL),
    },
    // Apparel
    DemoProduct {
        sku: "APP-001",
        category: "apparel",
        name: "Organic Cotton Crew Tee",
        description: "A mid-weight T-shirt in organic cotton jersey with a relaxed, straight fit. Pre-shrunk so it keeps its shape after washing. Made in Portugal.",
        price_cents: 2900,
        stock: 200,
        art: art(Motif::Shirt, SKY, CORNFLOWER),
    },
    DemoProduct {
        sku: "APP-002",
        category: "apparel",
        name: "Linen Button-Down Shirt",
        description: "A breathable shirt in garment-dyed European linen with mother-of-pearl buttons. It looks best a little rumpled, so there is no need to iron it. Cut slightly long to wear tucked or loose.",
        price_cents: 6900,
        stock: 35,
        art: art(Motif::Shirt, SAND, OAT),
    },
    DemoProduct {
        sku: "APP-003",
        category: "apparel",
        name: "Waxed Canvas Tote",
        description: "A roomy tote in waxed cotton canvas with leather handles and an inside zip pocket. Shrugs off drizzle and ages into a lovely patina.",
        price_cents: 4500,
        stock: 80,
        art: art(Motif::Bag, SAGE, OLIVE),
    },
    DemoProduct {
        sku: "APP-004",
        category: "apparel",
        name: "Heavyweight Loopback Hoodie",
        description: "A 400 gsm loopback cotton hoodie with a double-layer hood and flat drawcords. Warm enough to replace a light jacket on spring evenings.",
        price_cents: 7400,
        stock: 3,
        art: art(Motif::Shirt, STONE, CHARCOAL),
    },
    DemoProduct {
        sku: "APP-005",
        category: "apparel",
        name: "Leather Crossbody Bag",
        description: "A small crossbody bag in vegetable-tanned leather with an adjustable strap. Fits a phone, keys and a paperback. Stitched by hand in a workshop in Florence.",
        price_cents: 8900,
        stock: 14,
        art: art(Motif::Bag, PEACH, ESPRESSO),
    },
    DemoProduct {
        sku: "APP-006",
        category: "apparel",
        name: "Minimalist Field Watch",
        description: "A 38 mm watch with a sapphire crystal, a Japanese quartz movement and an easy-to-read face. Comes on a linen-textured canvas strap that swaps without tools.",
        price_cents: 12900,
        stock: 9,
        art: art(Motif::Watch, SAGE, OLIVE),
    },
    DemoProduct {
        sku: "APP-007",
        category: "apparel",
        name: "Striped Breton Top",
        description: "The classic long-sleeved Breton in thick cotton with a boat neck. Navy stripes on ecru, just as the fishermen wore them.",
        price_cents: 4200,
        stock: 0,
        art: art(Motif::Shirt, CREAM, NAVY),
    },
    DemoProduct {
        sku: "APP-008",
        category: "apparel",
        name: "Canvas Rucksack 20 L",
        description: "A simple top-loading rucksack in recycled canvas with a padded laptop sleeve. Leather-trimmed straps and a single front pocket for the things you reach for most.",
        price_cents: 7900,
        stock: 40,
        art: art(Motif::Bag, SKY, SLATE),
    },
    DemoProduct {
        sku: "APP-009",
        category: "apparel",
        name: "Merino Hiking Socks, Two Pairs",
        description: "Cushioned merino wool socks that stay warm when wet and do not hold on to smells. Reinforced heel and toe. Sold as a pair of pairs in a recycled card box.",
        price_cents: 1800,
        stock: 150,
        art: art(Motif::Box, BLUSH, BERRY),
    },
    // Outdoor
    DemoProduct {
        sku: "OUT-001",
        category: "outdoor",
        name: "Enamel Camp Mug",
        description: "A light enamel steel mug with a rolled rim, happy on a camp stove or an open fire. Holds 400 ml of tea, soup or coffee. The speckled finish hides the odd chip.",
        price_cents: 1500,
        stock: 140,
        art: art(Motif::Mug, MINT, FOREST),
    },
    DemoProduct {
        sku: "OUT-002",
        category: "outdoor",
        name: "Stainless Steel Flask 1 L",
        description: "A vacuum flask with a cup lid and a pour-through stopper. Keeps tea hot for a whole day of walking. Tough enough to survive being dropped on rocks.",
        price_cents: 3400,
        stock: 70,
        art: art(Motif::Bottle, SAGE, OLIVE),
    },
    DemoProduct {
        sku: "OUT-003",
        category: "outdoor",
        name: "Folding Camp Chair",
        description: "A low folding chair with an ash frame and a heavy cotton seat. It folds flat in seconds and weighs just over two kilos. Perfect by the fire or on the beach.",
        price_cents: 3900,
        stock: 22,
        art: art(Motif::Chair, PEACH, TERRACOTTA),
    },
    DemoProduct {
        sku: "OUT-004",
        category: "outdoor",
        name: "Trail Daypack 25 L",
        description: "A lightweight daypack with a ventilated back panel, hip belt and rain cover. Side pockets take a one-litre bottle each.",
        price_cents: 8900,
        stock: 5,
        art: art(Motif::Bag, MINT, TEAL),
    },
    DemoProduct {
        sku: "OUT-005",
        category: "outdoor",
        name: "Beach Volleyball",
        description: "A soft-touch volleyball with a stitched cover that is kind to forearms. Good in sand, grass or the garden. Inflated and ready to play.",
        price_cents: 2900,
        stock: 60,
        art: art(Motif::Ball, BUTTER, CORNFLOWER),
    },
    DemoProduct {
        sku: "OUT-006",
        category: "outdoor",
        name: "Rechargeable Camp Lantern",
        description: "A USB-C lantern with three warm brightness settings and a fold-out hanging hook. One charge lasts three nights of evening use. Splash-proof for summer storms.",
        price_cents: 4400,
        stock: 38,
        art: art(Motif::Lamp, SKY, NAVY),
    },
    DemoProduct {
        sku: "OUT-007",
        category: "outdoor",
        name: "Windowsill Herb Starter Kit",
        description: "Seeds for basil, parsley and chives with three recycled pots and peat-free compost. Everything you need to grow your own herbs on a sunny sill.",
        price_cents: 2200,
        stock: 110,
        art: art(Motif::Plant, BUTTER, LEAF),
    },
    DemoProduct {
        sku: "OUT-008",
        category: "outdoor",
        name: "Campfire Coffee Percolator",
        description: "A stainless steel percolator that brews six cups of strong coffee on a camp stove or fire grate. No filters, no electricity, just patience. The glass knob lets you watch it bubble.",
        price_cents: 4600,
        stock: 19,
        art: art(Motif::Bottle, STONE, CHARCOAL),
    },
    // Audio & Tech
    DemoProduct {
        sku: "AUD-001",
        category: "audio",
        name: "Studio Over-Ear Headphones",
        description: "Closed-back headphones with 40 mm drivers, a balanced sound and memory-foam cushions. The cable detaches, and every part can be replaced if it wears out.",
        price_cents: 14900,
        stock: 28,
        art: art(Motif::Headphones, STONE, CHARCOAL),
    },
    DemoProduct {
        sku: "AUD-002",
        category: "audio",
        name: "Wireless Noise-Cancelling Headphones",
        description: "Bluetooth headphones with adaptive noise cancelling and 30 hours of battery life. They fold flat into a felt case for travel. A quick ten-minute charge gives three hours of playback.",
        price_cents: 19900,
        stock: 0,
        art: art(Motif::Headphones, LILAC, PLUM),
    },
    DemoProduct {
        sku: "AUD-003",
        category: "audio",
        name: "Walnut Bluetooth Speaker",
        description: "A compact speaker in a solid walnut cabinet with a wool fabric grille. Surprisingly full sound for its size and twelve hours of play per charge.",
        price_cents: 11900,
        stock: 16,
        art: art(Motif::Box, SAND, ESPRESSO),
    },
    DemoProduct {
        sku: "AUD-004",
        category: "audio",
        name: "Retro Kitchen Radio",
        description: "A DAB+ and FM radio with chunky dials, a carry handle and a clear, warm speaker. Runs on mains or batteries, so it can follow you into the garden.",
        price_cents: 5900,
        stock: 4,
        art: art(Motif::Box, BLUSH, TOMATO),
    },
    DemoProduct {
        sku: "AUD-005",
        category: "audio",
        name: "Sunrise Alarm Clock",
        description: "Wakes you with thirty minutes of gradually brightening light before a gentle chime. Doubles as a reading light and a sunset lamp for winding down.",
        price_cents: 6900,
        stock: 33,
        art: art(Motif::Watch, PEACH, CORAL),
    },
    DemoProduct {
        sku: "AUD-006",
        category: "audio",
        name: "Dimmable LED Desk Lamp",
        description: "An adjustable desk lamp with a touch dimmer and a USB-C port in the base for charging your phone. The light is flicker-free and warm enough for late evenings.",
        price_cents: 7400,
        stock: 45,
        art: art(Motif::Lamp, MINT, TEAL),
    },
    DemoProduct {
        sku: "AUD-007",
        category: "audio",
        name: "Kids' Volume-Limited Headphones",
        description: "Soft, bendy headphones that cap the volume at a safe 85 dB. The cushions are washable and the cable is tangle-resistant. Comes with a sheet of stickers to make them their own.",
        price_cents: 3900,
        stock: 90,
        art: art(Motif::Headphones, BUTTER, CORAL),
    },
    DemoProduct {
        sku: "AUD-008",
        category: "audio",
        name: "Fitness Tracker Watch",
        description: "Tracks steps, sleep and heart rate with a week of battery life. The always-on display is easy to read in bright sun, and the silicone strap is swim-proof.",
        price_cents: 9900,
        stock: 52,
        art: art(Motif::Watch, SKY, CORNFLOWER),
    },
    DemoProduct {
        sku: "AUD-009",
        category: "audio",
        name: "Record Cleaning Kit",
        description: "A goat-hair brush, a microfibre cloth and a bottle of alcohol-free cleaning fluid for vinyl. Keeps your records quiet and your stylus happy.",
        price_cents: 2400,
        stock: 1,
        art: art(Motif::Bottle, LILAC, NAVY),
    },
    // Toys & Games
    DemoProduct {
        sku: "TOY-001",
        category: "toys",
        name: "Hand-Stitched Teddy Bear",
        description: "A classic jointed teddy bear in soft mohair with stitched paws and a ribbon bow. About 30 cm tall. Made in a small workshop in the Black Forest.",
        price_cents: 3400,
        stock: 25,
        art: art(Motif::Teddy, CREAM, OAK),
    },
    DemoProduct {
        sku: "TOY-002",
        category: "toys",
        name: "Natural Rubber Ball Set",
        description: "Three squeezy balls in natural rubber, each with a different texture to explore. Free from BPA and phthalates and safe for babies to chew.",
        price_cents: 1200,
        stock: 180,
        art: art(Motif::Ball, BLUSH, TOMATO),
    },
    DemoProduct {
        sku: "TOY-003",
        category: "toys",
        name: "Wooden Building Blocks, 50 Pieces",
        description: "Fifty beech wood blocks in plain and painted shapes, stored in a sturdy wooden crate. Sanded smooth and finished with water-based paint. Great for towers that are meant to fall down.",
        price_cents: 3900,
        stock: 44,
        art: art(Motif::Box, BUTTER, OAK),
    },
    DemoProduct {
        sku: "TOY-004",
        category: "toys",
        name: "Felt Play Café Set",
        description: "A felt and wood play set for running a pretend café: cups, saucers, cakes and a little chalkboard menu. Every piece is washable.",
        price_cents: 2900,
        stock: 1,
        art: art(Motif::Mug, LILAC, BERRY),
    },
    DemoProduct {
        sku: "TOY-005",
        category: "toys",
        name: "Soft Foam Football",
        description: "A lightweight foam football that is safe to kick around the living room. Bounces well outdoors too. Size 4, suitable from age three.",
        price_cents: 1600,
        stock: 95,
        art: art(Motif::Ball, SAGE, LEAF),
    },
    DemoProduct {
        sku: "TOY-006",
        category: "toys",
        name: "The Little Lighthouse",
        description: "A picture book about a lighthouse keeper and the seal who visits every evening. Gentle rhymes and big, bold illustrations make it a bedtime favourite.",
        price_cents: 1400,
        stock: 70,
        art: art(Motif::Book, SKY, TOMATO),
    },
    DemoProduct {
        sku: "TOY-007",
        category: "toys",
        name: "Doll's House Rocking Chair",
        description: "A tiny rocking chair in cherry wood, in 1:12 scale for doll's houses and small animal friends. It really rocks.",
        price_cents: 1900,
        stock: 0,
        art: art(Motif::Chair, BLUSH, BERRY),
    },
    DemoProduct {
        sku: "TOY-008",
        category: "toys",
        name: "Jigsaw Puzzle, 500 Pieces",
        description: "A 500-piece puzzle of a busy Amsterdam flower market, printed on recycled board. Thick pieces with a satisfying click. Includes a poster of the finished picture.",
        price_cents: 2200,
        stock: 60,
        art: art(Motif::Box, LILAC, CORNFLOWER),
    },
    DemoProduct {
        sku: "TOY-009",
        category: "toys",
        name: "Knitted Honey Bear",
        description: "A little bear hand-knitted in organic cotton yarn, with embroidered eyes that are safe for babies. Soft, floppy and just the right size for small hands.",
        price_cents: 2600,
        stock: 30,
        art: art(Motif::Teddy, PEACH, MUSTARD),
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn has_enough_categories_and_products() {
        assert!(
            CATEGORIES.len() >= 6,
            "only {} categories",
            CATEGORIES.len()
        );
        assert!(PRODUCTS.len() >= 48, "only {} products", PRODUCTS.len());
    }

    #[test]
    fn every_product_category_exists() {
        let slugs: HashSet<_> = CATEGORIES.iter().map(|c| c.slug).collect();
        for p in PRODUCTS {
            assert!(
                slugs.contains(p.category),
                "{} has unknown category {}",
                p.sku,
                p.category
            );
        }
    }

    #[test]
    fn category_slugs_are_unique_and_url_safe() {
        let mut seen = HashSet::new();
        for c in CATEGORIES {
            assert!(seen.insert(c.slug), "duplicate slug {}", c.slug);
            assert!(
                c.slug.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "slug {} is not URL-safe",
                c.slug
            );
        }
    }

    #[test]
    fn skus_are_unique() {
        let mut seen = HashSet::new();
        for p in PRODUCTS {
            assert!(seen.insert(p.sku), "duplicate sku {}", p.sku);
        }
    }

    #[test]
    fn names_are_unique() {
        let mut seen = HashSet::new();
        for p in PRODUCTS {
            assert!(seen.insert(p.name), "duplicate name {}", p.name);
        }
    }

    #[test]
    fn prices_are_positive() {
        for p in PRODUCTS {
            assert!(p.price_cents > 0, "{} has price {}", p.sku, p.price_cents);
        }
    }

    #[test]
    fn stock_is_in_range_with_some_sold_out_and_low() {
        for p in PRODUCTS {
            assert!(
                (0..=250).contains(&p.stock),
                "{} has stock {}",
                p.sku,
                p.stock
            );
        }
        let sold_out = PRODUCTS.iter().filter(|p| p.stock == 0).count();
        let low = PRODUCTS
            .iter()
            .filter(|p| (1..=5).contains(&p.stock))
            .count();
        assert!(sold_out >= 2, "only {sold_out} sold-out products");
        assert!(low >= 2, "only {low} low-stock products");
    }

    #[test]
    fn each_category_has_at_least_eight_products() {
        for c in CATEGORIES {
            let n = PRODUCTS.iter().filter(|p| p.category == c.slug).count();
            assert!(n >= 8, "category {} has only {n} products", c.slug);
        }
    }

    // Search tests elsewhere rely on these words and on LIKE-safe names.
    #[test]
    fn catalogue_supports_search_tests() {
        let mentions = |word: &str| {
            PRODUCTS
                .iter()
                .filter(|p| {
                    p.name.to_lowercase().contains(word)
                        || p.description.to_lowercase().contains(word)
                })
                .count()
        };
        assert!(mentions("coffee") >= 3);
        assert!(mentions("linen") >= 2);
        assert!(PRODUCTS.iter().filter(|p| !p.name.is_ascii()).count() >= 3);
        for p in PRODUCTS {
            assert!(
                !p.name.contains('%') && !p.name.contains('_'),
                "{} has a LIKE wildcard",
                p.sku
            );
        }
    }

    #[test]
    fn text_is_trimmed_and_non_empty() {
        for p in PRODUCTS {
            for s in [p.sku, p.name, p.description] {
                assert!(!s.is_empty() && s.trim() == s, "{}: bad text {s:?}", p.sku);
            }
        }
    }

    #[test]
    fn every_motif_is_used() {
        let used: HashSet<_> = PRODUCTS.iter().map(|p| p.art.motif).collect();
        for m in Motif::ALL {
            assert!(used.contains(&m), "{m:?} is never used");
        }
    }
}
