// TIFF decode and encode through libtiff. libtiff reports errors through handlers, never by
// longjmp or exit: ours (installed per file through TIFFOpenOptions) keep the first error's
// words for the caller and print nothing. Files are read from and written to memory through
// TIFFClientOpenExt, so the Swift side keeps every file-reading rule (regular files, size caps).
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <tiffio.h>
#include "internal.h"

// MARK: - error handling and memory I/O

/// The name libtiff is given for the in-memory file (it quotes it in messages; we strip it).
#define IC_TIFF_NAME "<memory>"

typedef struct {
    char *message;
    // In-memory file: read-only data for decoding, a growing buffer for encoding.
    const uint8_t *data;
    uint8_t *buffer;
    size_t size;
    size_t capacity;
    size_t position;
    int out_of_memory;
} tiff_context;

/// Keeps libtiff's first error ("module: text"); returning 1 stops libtiff from also calling
/// its global handler, which prints to stderr.
static int ic_tiff_error(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif;
    tiff_context *c = (tiff_context *)user;
    if (c != NULL && c->message != NULL && c->message[0] == 0) {
        char text[IC_MESSAGE_CAPACITY];
        vsnprintf(text, sizeof text, format, args);
        // libtiff starts many messages with the file's name, which is ours; the caller adds the path.
        const char *body = strncmp(text, IC_TIFF_NAME ": ", strlen(IC_TIFF_NAME ": ")) == 0 ? text + strlen(IC_TIFF_NAME ": ") : text;
        if (module != NULL && module[0] != 0) ic_set_message(c->message, "%s: %s", module, body);
        else ic_set_message(c->message, "%s", body);
    }
    return 1;
}

/// Warnings (unknown tags, odd but readable fields) are dropped, as for PNG and JPEG.
static int ic_tiff_warning(TIFF *tif, void *user, const char *module, const char *format, va_list args) {
    (void)tif; (void)user; (void)module; (void)format; (void)args;
    return 1;
}

/// The few libtiff paths that report without a TIFF handle use the process-wide handlers,
/// which print by default: silence them once.
static void silence_global_handlers(void) {
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
}
static pthread_once_t silence_once = PTHREAD_ONCE_INIT;

static tmsize_t ic_tiff_read(thandle_t handle, void *out, tmsize_t count) {
    tiff_context *c = (tiff_context *)handle;
    if (count <= 0 || c->position >= c->size) return 0;
    size_t n = c->size - c->position;
    if ((size_t)count < n) n = (size_t)count;
    memcpy(out, c->data + c->position, n);
    c->position += n;
    return (tmsize_t)n;
}

static tmsize_t ic_tiff_write(thandle_t handle, void *data, tmsize_t count) {
    tiff_context *c = (tiff_context *)handle;
    if (c->buffer == NULL && c->data != NULL) return -1;  // a read-only context
    if (count <= 0) return 0;
    size_t end = c->position + (size_t)count;
    if (end > c->capacity) {
        size_t capacity = c->capacity < 4096 ? 4096 : c->capacity;
        while (capacity < end) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(c->buffer, capacity);
        if (grown == NULL) { c->out_of_memory = 1; return -1; }
        memset(grown + c->capacity, 0, capacity - c->capacity);
        c->buffer = grown;
        c->capacity = capacity;
    }
    memcpy(c->buffer + c->position, data, (size_t)count);
    c->position = end;
    if (end > c->size) c->size = end;
    return count;
}

static toff_t ic_tiff_seek(thandle_t handle, toff_t offset, int whence) {
    tiff_context *c = (tiff_context *)handle;
    uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? c->position : c->size;
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END) return (toff_t)-1;
    if (offset > UINT64_MAX - base || base + offset > (uint64_t)SIZE_MAX / 2) return (toff_t)-1;
    c->position = (size_t)(base + offset);
    return (toff_t)c->position;
}

static int ic_tiff_close(thandle_t handle) { (void)handle; return 0; }
static toff_t ic_tiff_size(thandle_t handle) { return (toff_t)((tiff_context *)handle)->size; }
static int ic_tiff_map(thandle_t handle, void **base, toff_t *size) { (void)handle; (void)base; (void)size; return 0; }
static void ic_tiff_unmap(thandle_t handle, void *base, toff_t size) { (void)handle; (void)base; (void)size; }

static TIFF *open_in_memory(tiff_context *c, const char *mode) {
    pthread_once(&silence_once, silence_global_handlers);
    TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
    if (options == NULL) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(options, ic_tiff_error, c);
    TIFFOpenOptionsSetWarningHandlerExtR(options, ic_tiff_warning, c);
    TIFF *tif = TIFFClientOpenExt(IC_TIFF_NAME, mode, (thandle_t)c, ic_tiff_read, ic_tiff_write, ic_tiff_seek,
                                  ic_tiff_close, ic_tiff_size, ic_tiff_map, ic_tiff_unmap, options);
    TIFFOpenOptionsFree(options);
    return tif;
}

// MARK: - decode

/// What the first directory declares, checked before any pixel memory is allocated.
typedef struct {
    uint32_t width, height;
    uint16_t samples, bits, format, photometric, planar, compression;
    int tiled;
} tiff_layout;

static const char *compression_name(uint16_t compression) {
    switch (compression) {
    case COMPRESSION_NONE: return "none";
    case COMPRESSION_LZW: return "LZW";
    case COMPRESSION_ADOBE_DEFLATE: case COMPRESSION_DEFLATE: return "Deflate";
    case COMPRESSION_PACKBITS: return "PackBits";
    case COMPRESSION_JPEG: case COMPRESSION_OJPEG: return "JPEG";
    case COMPRESSION_CCITTRLE: case COMPRESSION_CCITTFAX3: case COMPRESSION_CCITTFAX4: return "CCITT fax";
    case COMPRESSION_LZMA: return "LZMA";
    case COMPRESSION_ZSTD: return "Zstandard";
    case COMPRESSION_WEBP: return "WebP";
    default: return "unknown";
    }
}

/// Reads and checks the layout of the current directory; IC_ERR_UNSUPPORTED names what is not read.
static int read_layout(TIFF *tif, tiff_context *c, ic_limits limits, ic_image *out, tiff_layout *l) {
    if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l->width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l->height)) {
        if (c->message[0] == 0) ic_set_message(c->message, "missing image width or height");
        return IC_ERR_CORRUPT;
    }
    int limit = ic_check_limits(l->width, l->height, limits, out, c->message);
    if (limit != IC_OK) return limit;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l->samples);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l->bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &l->format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &l->planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &l->compression);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &l->photometric)) {
        l->photometric = l->samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    }
    l->tiled = TIFFIsTiled(tif);
    out->source_bit_depth = l->bits;

    if (l->samples < 1 || l->samples > 4) {
        ic_set_message(c->message, "%u samples per pixel: only gray, gray+alpha, RGB and RGBA (1 to 4 samples) are read; "
                       "save the channels as separate files or as a 1-4 channel image", l->samples);
        return IC_ERR_UNSUPPORTED;
    }
    int is_uint = l->format == SAMPLEFORMAT_UINT || l->format == SAMPLEFORMAT_VOID;
    if (!((is_uint && (l->bits == 8 || l->bits == 16)) || (l->format == SAMPLEFORMAT_IEEEFP && l->bits == 32))) {
        const char *kind = l->format == SAMPLEFORMAT_INT ? "signed integer" : l->format == SAMPLEFORMAT_IEEEFP ? "float"
                         : is_uint ? "unsigned integer" : "complex";
        ic_set_message(c->message, "%u-bit %s samples: only 8- and 16-bit unsigned and 32-bit float samples are read",
                       l->bits, kind);
        return IC_ERR_UNSUPPORTED;
    }
    if (l->photometric == PHOTOMETRIC_PALETTE) {
        ic_set_message(c->message, "palette TIFF: save it as gray or RGB, or as a palette PNG");
        return IC_ERR_UNSUPPORTED;
    }
    if (l->photometric != PHOTOMETRIC_MINISBLACK && l->photometric != PHOTOMETRIC_RGB) {
        ic_set_message(c->message, "photometric interpretation %u: only gray (min-is-black) and RGB TIFFs are read",
                       l->photometric);
        return IC_ERR_UNSUPPORTED;
    }
    // Gray has 1 colour sample, RGB 3; one more must be declared alpha. Anything else is a stack
    // of channels whose meaning the file does not give (a gray model would drop the "alpha").
    uint16_t colour = l->photometric == PHOTOMETRIC_RGB ? 3 : 1;
    uint16_t extra_count = 0;
    uint16_t *extra = NULL;
    TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra);
    int has_alpha = l->samples == colour + 1 && extra_count == 1 && extra != NULL &&
                    (extra[0] == EXTRASAMPLE_ASSOCALPHA || extra[0] == EXTRASAMPLE_UNASSALPHA);
    if (l->samples != colour && !has_alpha) {
        ic_set_message(c->message, "%s with %u samples per pixel%s: only gray, gray+alpha, RGB and RGBA are read; "
                       "save the channels as separate files or as gray/RGB", colour == 3 ? "RGB" : "gray", l->samples,
                       l->samples == colour + 1 ? " and no alpha declared" : "");
        return IC_ERR_UNSUPPORTED;
    }
    if (l->planar != PLANARCONFIG_CONTIG && l->planar != PLANARCONFIG_SEPARATE) {
        ic_set_message(c->message, "unknown planar configuration %u", l->planar);
        return IC_ERR_CORRUPT;
    }
    int known = l->compression == COMPRESSION_NONE || l->compression == COMPRESSION_LZW ||
                l->compression == COMPRESSION_ADOBE_DEFLATE || l->compression == COMPRESSION_DEFLATE ||
                l->compression == COMPRESSION_PACKBITS;
    if (!known || !TIFFIsCODECConfigured(l->compression)) {
        ic_set_message(c->message, "compression %u (%s): only uncompressed, LZW, Deflate and PackBits TIFFs are read",
                       l->compression, compression_name(l->compression));
        return IC_ERR_UNSUPPORTED;
    }
    out->width = l->width;
    out->height = l->height;
    out->channels = l->samples;
    out->bit_depth = l->bits;
    out->is_float = l->format == SAMPLEFORMAT_IEEEFP;
    out->is_tiled = (uint32_t)l->tiled;
    out->is_planar = l->planar == PLANARCONFIG_SEPARATE;
    return IC_OK;
}

/// Copies `rows` x `columns` pixels of one decoded strip or tile (row stride `stride` bytes) into
/// the interleaved image at (x, y); with `plane` >= 0 the block holds that one sample only.
static void place_block(uint8_t *pixels, const tiff_layout *l, const uint8_t *block, size_t stride,
                        uint32_t x, uint32_t y, uint32_t columns, uint32_t rows, int plane) {
    size_t bytes = l->bits / 8;
    size_t pixel = bytes * l->samples;
    for (uint32_t r = 0; r < rows; r++) {
        uint8_t *target = pixels + ((size_t)(y + r) * l->width + x) * pixel;
        const uint8_t *source = block + (size_t)r * stride;
        if (plane < 0) {
            memcpy(target, source, (size_t)columns * pixel);
        } else {
            for (uint32_t i = 0; i < columns; i++) memcpy(target + i * pixel + (size_t)plane * bytes, source + i * bytes, bytes);
        }
    }
}

static int read_pixels(TIFF *tif, tiff_context *c, const tiff_layout *l, uint8_t *pixels, uint8_t **scratch) {
    size_t bytes = l->bits / 8;
    int separate = l->planar == PLANARCONFIG_SEPARATE && l->samples > 1;
    int planes = separate ? l->samples : 1;
    size_t per_pixel = bytes * (separate ? 1 : l->samples);
    // A strip or tile may exceed the image (tiles are padded), but not absurdly: a hostile header
    // must not make us allocate far more than the image itself.
    size_t image_bytes = (size_t)l->width * l->height * per_pixel;
    size_t block_cap = image_bytes * 4 + (16u << 20);

    if (l->tiled) {
        uint32_t tw = 0, th = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
        tmsize_t tile_bytes = TIFFTileSize(tif);
        if (tw == 0 || th == 0 || tile_bytes <= 0) {
            if (c->message[0] == 0) ic_set_message(c->message, "invalid tile size %ux%u", tw, th);
            return IC_ERR_CORRUPT;
        }
        if ((size_t)tile_bytes > block_cap || (size_t)tile_bytes != (size_t)tw * th * per_pixel) {
            ic_set_message(c->message, "tile size %ux%u does not fit a %ux%u image", tw, th, l->width, l->height);
            return IC_ERR_CORRUPT;
        }
        *scratch = (uint8_t *)malloc((size_t)tile_bytes);
        if (*scratch == NULL) return IC_ERR_NO_MEMORY;
        for (int s = 0; s < planes; s++) {
            for (uint32_t y = 0; y < l->height; y += th) {
                for (uint32_t x = 0; x < l->width; x += tw) {
                    uint32_t tile = TIFFComputeTile(tif, x, y, 0, (uint16_t)s);
                    if (TIFFReadEncodedTile(tif, tile, *scratch, tile_bytes) != tile_bytes) {
                        if (c->message[0] == 0) ic_set_message(c->message, "cannot read tile %u", tile);
                        return IC_ERR_CORRUPT;
                    }
                    uint32_t columns = l->width - x < tw ? l->width - x : tw;
                    uint32_t rows = l->height - y < th ? l->height - y : th;
                    place_block(pixels, l, *scratch, (size_t)tw * per_pixel, x, y, columns, rows, separate ? s : -1);
                }
            }
        }
        return IC_OK;
    }

    uint32_t rows_per_strip = 0;
    TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    if (rows_per_strip == 0 || rows_per_strip > l->height) rows_per_strip = l->height;
    size_t row_bytes = (size_t)l->width * per_pixel;
    tmsize_t strip_bytes = (tmsize_t)(row_bytes * rows_per_strip);
    if (TIFFStripSize(tif) != strip_bytes) {
        if (c->message[0] == 0) ic_set_message(c->message, "unexpected strip size");
        return IC_ERR_CORRUPT;
    }
    *scratch = (uint8_t *)malloc((size_t)strip_bytes);
    if (*scratch == NULL) return IC_ERR_NO_MEMORY;
    for (int s = 0; s < planes; s++) {
        for (uint32_t y = 0; y < l->height; y += rows_per_strip) {
            uint32_t rows = l->height - y < rows_per_strip ? l->height - y : rows_per_strip;
            uint32_t strip = TIFFComputeStrip(tif, y, (uint16_t)s);
            tmsize_t want = (tmsize_t)(row_bytes * rows);
            if (TIFFReadEncodedStrip(tif, strip, *scratch, want) != want) {
                if (c->message[0] == 0) ic_set_message(c->message, "cannot read strip %u", strip);
                return IC_ERR_CORRUPT;
            }
            place_block(pixels, l, *scratch, row_bytes, 0, y, l->width, rows, separate ? s : -1);
        }
    }
    return IC_OK;
}

// An unsigned integer of `bytes` bytes at `at`, in the file's byte order.
static uint64_t read_uint(const uint8_t *data, size_t at, int bytes, int little) {
    uint64_t value = 0;
    for (int k = 0; k < bytes; k++) value |= (uint64_t)data[at + (little ? k : bytes - 1 - k)] << (8 * k);
    return value;
}

// Follows the chain of image directories (IFDs) in the raw bytes, for what libtiff's count
// cannot say: whether the chain loops. Returns the number of directories found before the end,
// a loop or an offset outside the file; *loop_from/*loop_to are 1-based directory numbers when
// a directory points back to an earlier one (or itself), else 0.
static uint64_t walk_directories(const uint8_t *data, size_t size, uint32_t *loop_from, uint32_t *loop_to) {
    enum { MAX_DIRECTORIES = 4096 };  // enough to tell a stack; bounds the loop search
    *loop_from = 0;
    *loop_to = 0;
    int little = data[0] == 'I', big_tiff = data[little ? 2 : 3] == 43;
    size_t count_bytes = big_tiff ? 8 : 2, entry_bytes = big_tiff ? 20 : 12, next_bytes = big_tiff ? 8 : 4;
    if (size < (big_tiff ? 16u : 8u)) return 0;
    uint64_t *seen = (uint64_t *)malloc(MAX_DIRECTORIES * sizeof *seen);
    if (seen == NULL) return 0;
    uint64_t count = 0, offset = read_uint(data, 4 + (big_tiff ? 4 : 0), (int)next_bytes, little);
    while (offset != 0 && count < MAX_DIRECTORIES) {
        for (uint64_t i = 0; i < count && *loop_from == 0; i++) {
            if (seen[i] == offset) { *loop_from = (uint32_t)count; *loop_to = (uint32_t)(i + 1); }
        }
        if (*loop_from != 0 || offset > size || size - offset < count_bytes) break;
        uint64_t entries = read_uint(data, (size_t)offset, (int)count_bytes, little);
        if (entries > (size - offset - count_bytes) / entry_bytes) break;
        size_t next_at = (size_t)(offset + count_bytes + entries * entry_bytes);
        if (size - next_at < next_bytes) break;
        seen[count++] = offset;
        offset = read_uint(data, next_at, (int)next_bytes, little);
    }
    free(seen);
    return count;
}

static int tiff_decode_body(TIFF *tif, tiff_context *c, ic_limits limits, int header_only, ic_image *out,
                            uint8_t **pixels, uint8_t **scratch) {
    tiff_layout l;
    memset(&l, 0, sizeof l);
    int code = read_layout(tif, c, limits, out, &l);
    if (code != IC_OK) return code;
    // Pages of a stack are z-slices, time points or channels: the file does not say which, so
    // a multi-page file is refused rather than guessed at.
    if (!TIFFLastDirectory(tif)) {
        uint32_t loop_from, loop_to;
        uint64_t pages = walk_directories(c->data, c->size, &loop_from, &loop_to);
        if (loop_from != 0) {
            // libtiff counts such a file as one page; it is a damaged file, not a stack.
            ic_set_message(c->message, "corrupt TIFF: a directory loop (directory %u points back to directory %u%s); "
                           "the file is damaged, save it again", loop_from, loop_to, loop_from == loop_to ? ", itself" : "");
            return IC_ERR_UNSUPPORTED;
        }
        if (pages < 2) {
            ic_set_message(c->message, "corrupt TIFF: its first directory points to a next one that is not in the file; "
                           "the file is damaged, save it again");
            return IC_ERR_UNSUPPORTED;
        }
        ic_set_message(c->message, "multi-page TIFF (%llu pages): only single-page files are read; "
                       "save each page as its own file", (unsigned long long)pages);
        return IC_ERR_UNSUPPORTED;
    }
    if (header_only) return IC_OK;

    size_t bytes = (size_t)l.width * l.height * l.samples * (l.bits / 8);
    *pixels = (uint8_t *)malloc(bytes);
    if (*pixels == NULL) return IC_ERR_NO_MEMORY;
    code = read_pixels(tif, c, &l, *pixels, scratch);
    if (code != IC_OK) return code;
    if (out->is_float) {
        const float *values = (const float *)*pixels;
        size_t count = bytes / 4;
        for (size_t i = 0; i < count; i++) {
            if (!isfinite(values[i])) {
                // A valid file whose values unet cannot use: say what and where, not "corrupt".
                size_t p = i / l.samples;
                const char *what = isnan(values[i]) ? "NaN" : values[i] > 0 ? "+infinity" : "-infinity";
                char channel[32] = "";
                if (l.samples > 1) snprintf(channel, sizeof channel, ", channel %zu", i % l.samples);
                ic_set_message(c->message, "the float TIFF holds %s at pixel (%zu, %zu)%s; unet needs finite values "
                               "(replace them, e.g. by 0 or the image's minimum, and save again)",
                               what, p % l.width, p / l.width, channel);
                return IC_ERR_UNSUPPORTED;
            }
        }
    }
    out->pixel_bytes = bytes;
    return IC_OK;
}

int ic_decode_tiff(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                   ic_image *out, char *message) {
    if (out == NULL || message == NULL) return IC_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    message[0] = 0;
    int little = size >= 4 && data[0] == 'I' && data[1] == 'I' && (data[2] == 42 || data[2] == 43) && data[3] == 0;
    int big = size >= 4 && data[0] == 'M' && data[1] == 'M' && data[2] == 0 && (data[3] == 42 || data[3] == 43);
    if (data == NULL || !(little || big)) {
        ic_set_message(message, "missing TIFF signature");
        return IC_ERR_CORRUPT;
    }
    tiff_context context;
    memset(&context, 0, sizeof context);
    context.message = message;
    context.data = data;
    context.size = size;
    // "m": no memory mapping (there is no file to map).
    TIFF *tif = open_in_memory(&context, "rm");
    if (tif == NULL) {
        if (message[0] == 0) ic_set_message(message, "not a readable TIFF");
        return IC_ERR_CORRUPT;
    }
    uint8_t *pixels = NULL, *scratch = NULL;
    int code = tiff_decode_body(tif, &context, limits, header_only, out, &pixels, &scratch);
    TIFFClose(tif);
    free(scratch);
    if (code == IC_OK && !header_only) {
        out->pixels = pixels;
    } else {
        free(pixels);
        out->pixels = NULL;
        out->pixel_bytes = 0;
    }
    if (code == IC_ERR_NO_MEMORY && message[0] == 0) ic_set_message(message, "out of memory");
    return code;
}

// MARK: - encode

int ic_encode_tiff(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                   uint32_t bit_depth, int is_float, uint8_t **out, size_t *out_size, char *message) {
    if (message == NULL || out == NULL || out_size == NULL) return IC_ERR_ARGUMENT;
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    int valid_depth = is_float ? bit_depth == 32 : (bit_depth == 8 || bit_depth == 16);
    if (pixels == NULL || width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff ||
        channels < 1 || channels > 4 || !valid_depth) {
        ic_set_message(message, "invalid TIFF parameters (%ux%u, %u channels, %u-bit %s)", width, height,
                       channels, bit_depth, is_float ? "float" : "unsigned");
        return IC_ERR_ARGUMENT;
    }
    tiff_context context;
    memset(&context, 0, sizeof context);
    context.message = message;
    TIFF *tif = open_in_memory(&context, "w");
    if (tif == NULL) {
        if (message[0] == 0) ic_set_message(message, "cannot start a TIFF");
        return IC_ERR_NO_MEMORY;
    }
    uint16_t extra = EXTRASAMPLE_UNASSALPHA;
    int ok = TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, width) && TIFFSetField(tif, TIFFTAG_IMAGELENGTH, height) &&
             TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, (uint16_t)channels) &&
             TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, (uint16_t)bit_depth) &&
             TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, (uint16_t)(is_float ? SAMPLEFORMAT_IEEEFP : SAMPLEFORMAT_UINT)) &&
             TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, (uint16_t)(channels >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK)) &&
             TIFFSetField(tif, TIFFTAG_PLANARCONFIG, (uint16_t)PLANARCONFIG_CONTIG) &&
             TIFFSetField(tif, TIFFTAG_COMPRESSION, (uint16_t)COMPRESSION_ADOBE_DEFLATE) &&
             TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(tif, 0)) &&
             (channels % 2 == 1 || TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, (uint16_t)1, &extra));
    size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
    // Codecs may work on the row in place, so libtiff gets a copy of each, never the caller's pixels.
    uint8_t *row = ok ? (uint8_t *)malloc(row_bytes) : NULL;
    if (ok && row == NULL) context.out_of_memory = 1;
    for (uint32_t y = 0; ok && row != NULL && y < height; y++) {
        memcpy(row, (const uint8_t *)pixels + (size_t)y * row_bytes, row_bytes);
        ok = TIFFWriteScanline(tif, row, y, 0) == 1;
    }
    free(row);
    ok = ok && TIFFFlush(tif) == 1;
    TIFFClose(tif);
    if (!ok || context.out_of_memory) {
        free(context.buffer);
        if (context.out_of_memory) { ic_set_message(message, "out of memory"); return IC_ERR_NO_MEMORY; }
        if (message[0] == 0) ic_set_message(message, "TIFF encoding failed");
        return IC_ERR_CORRUPT;
    }
    *out = context.buffer;
    *out_size = context.size;
    return IC_OK;
}
