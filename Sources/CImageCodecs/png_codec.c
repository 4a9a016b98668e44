// PNG decode and encode through libpng. libpng reports errors by longjmp: every setjmp is in
// this file, all state lives in a heap context (so nothing indeterminate after longjmp), and the
// public entry points free that context on every path.
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include "internal.h"

// MARK: - shared error handling

/// State common to the read and write contexts; must be the first member of both.
typedef struct {
    char *message;
    int code;  ///< code to return after a longjmp (IC_ERR_CORRUPT unless set otherwise)
} png_error_state;

static void ic_png_error(png_structp png, png_const_charp text) {
    png_error_state *state = (png_error_state *)png_get_error_ptr(png);
    if (state->message != NULL && state->message[0] == 0) ic_set_message(state->message, "%s", text);
    png_longjmp(png, 1);
}

/// Warnings are dropped: they are benign by definition and must not spam stderr.
static void ic_png_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static uint32_t read_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// MARK: - decode

typedef struct {
    png_error_state error;
    const uint8_t *data;
    size_t size;
    size_t position;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    uint8_t *pixels;
} png_read_context;

static void ic_png_read(png_structp png, png_bytep out, png_size_t count) {
    png_read_context *c = (png_read_context *)png_get_io_ptr(png);
    if (count > c->size - c->position) png_error(png, "Read Error");
    memcpy(out, c->data + c->position, count);
    c->position += count;
}

/// The body of ic_decode_png; may longjmp back to its own setjmp, never further.
static int png_decode_body(png_read_context *c, ic_limits limits, int header_only, ic_image *out) {
    c->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c->error, ic_png_error, ic_png_warning);
    if (c->png == NULL) return IC_ERR_NO_MEMORY;
    c->info = png_create_info_struct(c->png);
    if (c->info == NULL) return IC_ERR_NO_MEMORY;
    if (setjmp(png_jmpbuf(c->png))) return c->error.code;

    // Our own limits are checked below; lift libpng's (1e6 per side) so the messages are ours.
    png_set_user_limits(c->png, 0x7fffffff, 0x7fffffff);
    png_set_chunk_malloc_max(c->png, 32u << 20);
    png_set_read_fn(c->png, c, ic_png_read);
    png_read_info(c->png, c->info);

    png_uint_32 width, height;
    int bit_depth, color_type, interlace;
    png_get_IHDR(c->png, c->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    int limit = ic_check_limits(width, height, limits, out, c->error.message);
    if (limit != IC_OK) return limit;
    out->source_bit_depth = (uint32_t)bit_depth;
    out->is_interlaced = interlace != PNG_INTERLACE_NONE;
    out->bit_depth = bit_depth == 16 ? 16 : 8;
    int has_trns = png_get_valid(c->png, c->info, PNG_INFO_tRNS) != 0;

    switch (color_type) {
    case PNG_COLOR_TYPE_PALETTE: {
        if (bit_depth < 8) png_set_packing(c->png);  // unpack indices, never scale them
        png_colorp colors = NULL;
        int count = 0;
        if (!png_get_PLTE(c->png, c->info, &colors, &count) || count <= 0) {
            ic_set_message(c->error.message, "palette image without a PLTE chunk");
            return IC_ERR_CORRUPT;
        }
        png_bytep alphas = NULL;
        int alpha_count = 0;
        if (has_trns) png_get_tRNS(c->png, c->info, &alphas, &alpha_count, NULL);
        if (count > 256) count = 256;
        for (int i = 0; i < count; i++) {
            out->palette[4 * i + 0] = colors[i].red;
            out->palette[4 * i + 1] = colors[i].green;
            out->palette[4 * i + 2] = colors[i].blue;
            out->palette[4 * i + 3] = (alphas != NULL && i < alpha_count) ? alphas[i] : 255;
        }
        out->palette_count = (uint32_t)count;
        out->is_palette = 1;
        out->channels = 1;
        break;
    }
    case PNG_COLOR_TYPE_GRAY:
        if (bit_depth < 8) png_set_expand_gray_1_2_4_to_8(c->png);
        if (has_trns) png_set_tRNS_to_alpha(c->png);
        out->channels = has_trns ? 2 : 1;
        break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        out->channels = 2;
        break;
    case PNG_COLOR_TYPE_RGB:
        if (has_trns) png_set_tRNS_to_alpha(c->png);
        out->channels = has_trns ? 4 : 3;
        break;
    case PNG_COLOR_TYPE_RGB_ALPHA:
        out->channels = 4;
        break;
    default:
        ic_set_message(c->error.message, "unknown PNG colour type %d", color_type);
        return IC_ERR_CORRUPT;
    }
    if (bit_depth == 16 && ic_host_is_little_endian()) png_set_swap(c->png);
    if (interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(c->png);
    png_read_update_info(c->png, c->info);

    size_t bytes_per_sample = out->bit_depth / 8;
    size_t row_bytes = (size_t)width * out->channels * bytes_per_sample;
    if (png_get_rowbytes(c->png, c->info) != row_bytes) {
        ic_set_message(c->error.message, "unexpected row layout after transforms");
        return IC_ERR_CORRUPT;
    }
    if (header_only) return IC_OK;

    c->pixels = (uint8_t *)malloc(row_bytes * height);
    c->rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (c->pixels == NULL || c->rows == NULL) return IC_ERR_NO_MEMORY;
    for (png_uint_32 y = 0; y < height; y++) c->rows[y] = c->pixels + (size_t)y * row_bytes;
    png_read_image(c->png, c->rows);
    png_read_end(c->png, NULL);

    if (out->is_palette) {
        size_t count = (size_t)width * height;
        for (size_t i = 0; i < count; i++) {
            if (c->pixels[i] >= out->palette_count) {
                ic_set_message(c->error.message, "palette index %u at pixel (%zu, %zu) is beyond the %u palette entries",
                               c->pixels[i], i % width, i / width, out->palette_count);
                return IC_ERR_CORRUPT;
            }
        }
    }
    out->pixel_bytes = row_bytes * height;
    return IC_OK;
}

int ic_decode_png(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                  ic_image *out, char *message) {
    if (out == NULL || message == NULL) return IC_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    message[0] = 0;
    if (data == NULL || size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        ic_set_message(message, "missing PNG signature");
        return IC_ERR_CORRUPT;
    }
    // Refuse a declared bomb from the raw IHDR before libpng allocates anything.
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0) {
        int limit = ic_check_limits(read_be32(data + 16), read_be32(data + 20), limits, out, message);
        if (limit == IC_ERR_TOO_LARGE) return limit;
        message[0] = 0;
    }
    png_read_context *c = (png_read_context *)calloc(1, sizeof *c);
    if (c == NULL) return IC_ERR_NO_MEMORY;
    c->error.message = message;
    c->error.code = IC_ERR_CORRUPT;
    c->data = data;
    c->size = size;

    int code = png_decode_body(c, limits, header_only, out);

    if (c->png != NULL) png_destroy_read_struct(&c->png, c->info != NULL ? &c->info : NULL, NULL);
    free(c->rows);
    if (code == IC_OK && !header_only) {
        out->pixels = c->pixels;
    } else {
        free(c->pixels);
        out->pixels = NULL;
        out->pixel_bytes = 0;
    }
    free(c);
    if (code == IC_ERR_NO_MEMORY && message[0] == 0) ic_set_message(message, "out of memory");
    return code;
}

// MARK: - encode

typedef struct {
    png_error_state error;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    uint8_t *buffer;
    size_t size;
    size_t capacity;
} png_write_context;

static void ic_png_write(png_structp png, png_bytep data, png_size_t count) {
    png_write_context *c = (png_write_context *)png_get_io_ptr(png);
    if (count > c->capacity - c->size) {
        size_t capacity = c->capacity < 4096 ? 4096 : c->capacity;
        while (count > capacity - c->size) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(c->buffer, capacity);
        if (grown == NULL) {
            c->error.code = IC_ERR_NO_MEMORY;
            png_error(png, "out of memory");
        }
        c->buffer = grown;
        c->capacity = capacity;
    }
    memcpy(c->buffer + c->size, data, count);
    c->size += count;
}

static void ic_png_flush(png_structp png) { (void)png; }

static int png_encode_body(png_write_context *c, const void *pixels, uint32_t width, uint32_t height,
                           uint32_t channels, uint32_t bit_depth, const uint8_t *palette_rgba,
                           uint32_t palette_count) {
    c->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &c->error, ic_png_error, ic_png_warning);
    if (c->png == NULL) return IC_ERR_NO_MEMORY;
    c->info = png_create_info_struct(c->png);
    if (c->info == NULL) return IC_ERR_NO_MEMORY;
    size_t row_bytes = (size_t)width * channels * (bit_depth / 8);
    c->rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (c->rows == NULL) return IC_ERR_NO_MEMORY;
    for (uint32_t y = 0; y < height; y++) c->rows[y] = (png_bytep)pixels + (size_t)y * row_bytes;
    if (setjmp(png_jmpbuf(c->png))) return c->error.code;

    static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                       PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
    int color_type = palette_count > 0 ? PNG_COLOR_TYPE_PALETTE : color_types[channels];
    png_set_user_limits(c->png, 0x7fffffff, 0x7fffffff);
    png_set_write_fn(c->png, c, ic_png_write, ic_png_flush);
    png_set_IHDR(c->png, c->info, width, height, (int)bit_depth, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (palette_count > 0) {
        png_color colors[256];
        png_byte alphas[256];
        int alpha_count = 0;
        for (uint32_t i = 0; i < palette_count; i++) {
            colors[i].red = palette_rgba[4 * i];
            colors[i].green = palette_rgba[4 * i + 1];
            colors[i].blue = palette_rgba[4 * i + 2];
            alphas[i] = palette_rgba[4 * i + 3];
            if (alphas[i] != 255) alpha_count = (int)i + 1;
        }
        png_set_PLTE(c->png, c->info, colors, (int)palette_count);
        if (alpha_count > 0) png_set_tRNS(c->png, c->info, alphas, alpha_count, NULL);
    }
    png_write_info(c->png, c->info);
    if (bit_depth == 16 && ic_host_is_little_endian()) png_set_swap(c->png);
    png_write_image(c->png, c->rows);  // libpng copies each row before transforming it
    png_write_end(c->png, NULL);
    return IC_OK;
}

int ic_encode_png(const void *pixels, uint32_t width, uint32_t height, uint32_t channels,
                  uint32_t bit_depth, const uint8_t *palette_rgba, uint32_t palette_count,
                  uint8_t **out, size_t *out_size, char *message) {
    if (message == NULL || out == NULL || out_size == NULL) return IC_ERR_ARGUMENT;
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width == 0 || height == 0 || width > 0x7fffffff || height > 0x7fffffff ||
        channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        ic_set_message(message, "invalid PNG parameters (%ux%u, %u channels, %u bits)", width, height,
                       channels, bit_depth);
        return IC_ERR_ARGUMENT;
    }
    if (palette_count > 0) {
        if (palette_count > 256 || palette_rgba == NULL || channels != 1 || bit_depth != 8) {
            ic_set_message(message, "an indexed PNG needs 1 channel, 8 bits and 1...256 palette entries");
            return IC_ERR_ARGUMENT;
        }
        const uint8_t *indices = (const uint8_t *)pixels;
        size_t count = (size_t)width * height;
        for (size_t i = 0; i < count; i++) {
            if (indices[i] >= palette_count) {
                ic_set_message(message, "index %u at pixel %zu is beyond the %u palette entries",
                               indices[i], i, palette_count);
                return IC_ERR_ARGUMENT;
            }
        }
    }
    png_write_context *c = (png_write_context *)calloc(1, sizeof *c);
    if (c == NULL) return IC_ERR_NO_MEMORY;
    c->error.message = message;
    c->error.code = IC_ERR_CORRUPT;

    int code = png_encode_body(c, pixels, width, height, channels, bit_depth, palette_rgba, palette_count);

    if (c->png != NULL) png_destroy_write_struct(&c->png, c->info != NULL ? &c->info : NULL);
    free(c->rows);
    if (code == IC_OK) {
        *out = c->buffer;
        *out_size = c->size;
    } else {
        free(c->buffer);
        if (message[0] == 0) ic_set_message(message, "PNG encoding failed");
    }
    free(c);
    return code;
}
