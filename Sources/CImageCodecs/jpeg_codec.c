// JPEG decode and encode through libjpeg(-turbo). The default error manager calls exit(); ours
// records the message and longjmps back into this file. Warnings are counted silently, except that
// "Premature end of JPEG file" (a truncated file) is turned into an error after decoding.
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
#include <jerror.h>
#include "internal.h"

/// More scans than this in a progressive JPEG is treated as hostile (each scan costs a full pass).
#define IC_MAX_JPEG_SCANS 1000

// MARK: - shared error handling

typedef struct {
    struct jpeg_error_mgr pub;  // must be first: libjpeg sees only this part
    jmp_buf jump;
    char *message;
    int code;
    int saw_premature_end;
} jpeg_error_state;

static void ic_jpeg_error_exit(j_common_ptr cinfo) {
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    if (state->message != NULL && state->message[0] == 0) ic_set_message(state->message, "%s", text);
    if (cinfo->err->msg_code == JERR_OUT_OF_MEMORY) state->code = IC_ERR_NO_MEMORY;
    longjmp(state->jump, 1);
}

/// Never print anything.
static void ic_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void ic_jpeg_emit_message(j_common_ptr cinfo, int level) {
    jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
    if (level < 0) {
        cinfo->err->num_warnings++;
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) state->saw_premature_end = 1;
    }
}

static void ic_jpeg_install_errors(jpeg_error_state *state, char *message) {
    jpeg_std_error(&state->pub);
    state->pub.error_exit = ic_jpeg_error_exit;
    state->pub.output_message = ic_jpeg_output_message;
    state->pub.emit_message = ic_jpeg_emit_message;
    state->message = message;
    state->code = IC_ERR_CORRUPT;
}

// MARK: - EXIF orientation

static uint32_t exif_u16(const uint8_t *p, int little) {
    return little ? (uint32_t)(p[0] | (p[1] << 8)) : (uint32_t)((p[0] << 8) | p[1]);
}

static uint32_t exif_u32(const uint8_t *p, int little) {
    return little ? ((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24))
                  : (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3]);
}

/// Orientation (1...8) from an APP1 payload, or 0 when absent or malformed. Bounds-checked throughout.
static uint32_t exif_orientation(const uint8_t *payload, size_t length) {
    if (length < 6 + 8 || memcmp(payload, "Exif\0\0", 6) != 0) return 0;
    const uint8_t *tiff = payload + 6;
    size_t size = length - 6;
    int little;
    if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
    else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
    else return 0;
    if (exif_u16(tiff + 2, little) != 42) return 0;
    size_t ifd = exif_u32(tiff + 4, little);
    if (ifd > size || size - ifd < 2) return 0;
    uint32_t entries = exif_u16(tiff + ifd, little);
    for (uint32_t i = 0; i < entries; i++) {
        size_t entry = ifd + 2 + (size_t)i * 12;
        if (entry > size || size - entry < 12) return 0;
        if (exif_u16(tiff + entry, little) != 0x0112) continue;
        uint32_t type = exif_u16(tiff + entry + 2, little);
        uint32_t value = type == 3 ? exif_u16(tiff + entry + 8, little)
                       : type == 4 ? exif_u32(tiff + entry + 8, little) : 0;
        return (value >= 1 && value <= 8) ? value : 0;
    }
    return 0;
}

// MARK: - decode

typedef struct {
    jpeg_error_state error;
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress;
    uint8_t *pixels;
} jpeg_read_context;

static void ic_jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > IC_MAX_JPEG_SCANS) {
        jpeg_error_state *state = (jpeg_error_state *)cinfo->err;
        ic_set_message(state->message, "more than %d scans in a progressive JPEG", IC_MAX_JPEG_SCANS);
        longjmp(state->jump, 1);
    }
}

/// The body of ic_decode_jpeg; may longjmp back to its own setjmp, never further.
static int jpeg_decode_body(jpeg_read_context *c, const uint8_t *data, size_t size, ic_limits limits,
                            int header_only, ic_image *out) {
    c->cinfo.err = &c->error.pub;
    if (setjmp(c->error.jump)) return c->error.code;
    jpeg_create_decompress(&c->cinfo);
    c->progress.progress_monitor = ic_jpeg_progress;
    c->cinfo.progress = &c->progress;
    jpeg_mem_src(&c->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&c->cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&c->cinfo, TRUE);

    int limit = ic_check_limits(c->cinfo.image_width, c->cinfo.image_height, limits, out, c->error.message);
    if (limit != IC_OK) return limit;
    switch (c->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        c->cinfo.out_color_space = JCS_GRAYSCALE;
        out->channels = 1;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        c->cinfo.out_color_space = JCS_RGB;
        out->channels = 3;
        break;
    case JCS_CMYK:
        ic_set_message(c->error.message, "CMYK JPEG is not supported");
        return IC_ERR_UNSUPPORTED;
    case JCS_YCCK:
        ic_set_message(c->error.message, "CMYK JPEG is not supported (YCCK colour space)");
        return IC_ERR_UNSUPPORTED;
    default:
        ic_set_message(c->error.message, "JPEG colour space %d with %d components is not supported",
                       (int)c->cinfo.jpeg_color_space, c->cinfo.num_components);
        return IC_ERR_UNSUPPORTED;
    }
    out->bit_depth = 8;
    out->source_bit_depth = 8;
    out->is_progressive = c->cinfo.progressive_mode ? 1 : 0;
    for (jpeg_saved_marker_ptr m = c->cinfo.marker_list; m != NULL; m = m->next) {
        if (m->marker != JPEG_APP0 + 1) continue;
        uint32_t orientation = exif_orientation(m->data, m->data_length);
        if (orientation != 0) {
            out->orientation = orientation;
            break;
        }
    }
    if (header_only) return IC_OK;

    jpeg_start_decompress(&c->cinfo);
    if ((uint32_t)c->cinfo.output_components != out->channels ||
        c->cinfo.output_width != out->width || c->cinfo.output_height != out->height) {
        ic_set_message(c->error.message, "unexpected JPEG output layout");
        return IC_ERR_CORRUPT;
    }
    size_t row_bytes = (size_t)out->width * out->channels;
    c->pixels = (uint8_t *)malloc(row_bytes * out->height);
    if (c->pixels == NULL) return IC_ERR_NO_MEMORY;
    while (c->cinfo.output_scanline < c->cinfo.output_height) {
        JSAMPROW row = c->pixels + (size_t)c->cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&c->cinfo, &row, 1);
    }
    jpeg_finish_decompress(&c->cinfo);
    if (c->error.saw_premature_end) {
        ic_set_message(c->error.message, "Premature end of JPEG file");
        return IC_ERR_CORRUPT;
    }
    out->pixel_bytes = row_bytes * out->height;
    return IC_OK;
}

int ic_decode_jpeg(const uint8_t *data, size_t size, ic_limits limits, int header_only,
                   ic_image *out, char *message) {
    if (out == NULL || message == NULL) return IC_ERR_ARGUMENT;
    memset(out, 0, sizeof *out);
    out->orientation = 1;
    message[0] = 0;
    if (data == NULL || size < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        ic_set_message(message, "missing JPEG start-of-image marker");
        return IC_ERR_CORRUPT;
    }
    jpeg_read_context *c = (jpeg_read_context *)calloc(1, sizeof *c);
    if (c == NULL) return IC_ERR_NO_MEMORY;
    ic_jpeg_install_errors(&c->error, message);

    int code = jpeg_decode_body(c, data, size, limits, header_only, out);

    jpeg_destroy_decompress(&c->cinfo);  // safe on a partly created struct: it checks cinfo->mem
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

/// A growable memory destination whose buffer we own (jpeg_mem_dest's is unreachable on error).
typedef struct {
    struct jpeg_destination_mgr pub;  // must be first
    uint8_t *buffer;
    size_t capacity;
    size_t size;
} memory_destination;

typedef struct {
    jpeg_error_state error;
    struct jpeg_compress_struct cinfo;
    memory_destination destination;
} jpeg_write_context;

static void ic_dest_init(j_compress_ptr cinfo) {
    memory_destination *d = (memory_destination *)cinfo->dest;
    d->capacity = 16384;
    d->buffer = (uint8_t *)malloc(d->capacity);
    if (d->buffer == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->pub.next_output_byte = d->buffer;
    d->pub.free_in_buffer = d->capacity;
}

static boolean ic_dest_empty(j_compress_ptr cinfo) {
    memory_destination *d = (memory_destination *)cinfo->dest;
    size_t used = d->capacity;  // libjpeg calls this only when the buffer is full
    uint8_t *grown = (uint8_t *)realloc(d->buffer, d->capacity * 2);
    if (grown == NULL) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->buffer = grown;
    d->capacity *= 2;
    d->pub.next_output_byte = d->buffer + used;
    d->pub.free_in_buffer = d->capacity - used;
    return TRUE;
}

static void ic_dest_term(j_compress_ptr cinfo) {
    memory_destination *d = (memory_destination *)cinfo->dest;
    d->size = d->capacity - d->pub.free_in_buffer;
}

static int jpeg_encode_body(jpeg_write_context *c, const uint8_t *pixels, uint32_t width, uint32_t height,
                            uint32_t channels, int quality) {
    c->cinfo.err = &c->error.pub;
    if (setjmp(c->error.jump)) return c->error.code;
    jpeg_create_compress(&c->cinfo);
    c->destination.pub.init_destination = ic_dest_init;
    c->destination.pub.empty_output_buffer = ic_dest_empty;
    c->destination.pub.term_destination = ic_dest_term;
    c->cinfo.dest = &c->destination.pub;
    c->cinfo.image_width = width;
    c->cinfo.image_height = height;
    c->cinfo.input_components = (int)channels;
    c->cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c->cinfo);
    jpeg_set_quality(&c->cinfo, quality, TRUE);
    jpeg_start_compress(&c->cinfo, TRUE);
    size_t row_bytes = (size_t)width * channels;
    while (c->cinfo.next_scanline < c->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)c->cinfo.next_scanline * row_bytes);  // read only
        jpeg_write_scanlines(&c->cinfo, &row, 1);
    }
    jpeg_finish_compress(&c->cinfo);
    return IC_OK;
}

int ic_encode_jpeg(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                   int quality, uint8_t **out, size_t *out_size, char *message) {
    if (message == NULL || out == NULL || out_size == NULL) return IC_ERR_ARGUMENT;
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (pixels == NULL || width == 0 || height == 0 || width > JPEG_MAX_DIMENSION ||
        height > JPEG_MAX_DIMENSION || (channels != 1 && channels != 3) || quality < 1 || quality > 100) {
        ic_set_message(message, "invalid JPEG parameters (%ux%u, %u channels, quality %d)", width, height,
                       channels, quality);
        return IC_ERR_ARGUMENT;
    }
    jpeg_write_context *c = (jpeg_write_context *)calloc(1, sizeof *c);
    if (c == NULL) return IC_ERR_NO_MEMORY;
    ic_jpeg_install_errors(&c->error, message);

    int code = jpeg_encode_body(c, pixels, width, height, channels, quality);

    jpeg_destroy_compress(&c->cinfo);
    if (code == IC_OK) {
        *out = c->destination.buffer;
        *out_size = c->destination.size;
    } else {
        free(c->destination.buffer);
        if (message[0] == 0) ic_set_message(message, "JPEG encoding failed");
    }
    free(c);
    return code;
}
