// Sanitizer driver for the C shim (Tools/sanitize): for every file given, decodes it (header only
// and fully) as PNG, as JPEG and as TIFF, decodes every truncation of it, and re-encodes what
// decoded (PNG for integer samples, JPEG for 8-bit gray/RGB, TIFF always) and decodes that again. Built with AddressSanitizer,
// LeakSanitizer and UBSan, so a bad access, a leak on an error path or undefined behaviour
// stops it with a report. Prints the number of decode calls.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "codecs.h"

static unsigned long calls;

enum { AS_PNG = 0, AS_JPEG = 1, AS_TIFF = 2 };

static int decode(int format, const uint8_t *data, size_t size, int header_only, ic_image *out) {
    ic_limits limits = {.max_pixels = 1u << 24, .max_dimension = 1u << 14};
    char message[IC_MESSAGE_CAPACITY] = {0};
    memset(out, 0, sizeof *out);
    calls++;
    int code = format == AS_JPEG ? ic_decode_jpeg(data, size, limits, header_only, out, message)
             : format == AS_TIFF ? ic_decode_tiff(data, size, limits, header_only, out, message)
                                 : ic_decode_png(data, size, limits, header_only, out, message);
    if (code != IC_OK && message[0] == 0) { fprintf(stderr, "error %d without a message\n", code); abort(); }
    return code;
}

static void roundTrip(const ic_image *image) {
    char message[IC_MESSAGE_CAPACITY] = {0};
    uint8_t *bytes = NULL;
    size_t size = 0;
    ic_image back;
    if (!image->is_palette && !image->is_float && ic_encode_png(image->pixels, image->width, image->height, image->channels,
                                            image->bit_depth, NULL, 0, &bytes, &size, message) == IC_OK) {
        if (decode(0, bytes, size, 0, &back) != IC_OK || back.pixel_bytes != image->pixel_bytes
            || memcmp(back.pixels, image->pixels, back.pixel_bytes) != 0) { fprintf(stderr, "PNG round trip differs\n"); abort(); }
        ic_image_free(&back);
        ic_buffer_free(bytes);
    }
    if (image->bit_depth == 8 && !image->is_palette && (image->channels == 1 || image->channels == 3)
        && ic_encode_jpeg(image->pixels, image->width, image->height, image->channels, 90, &bytes, &size, message) == IC_OK) {
        if (decode(1, bytes, size, 0, &back) != IC_OK) { fprintf(stderr, "JPEG round trip fails\n"); abort(); }
        ic_image_free(&back);
        ic_buffer_free(bytes);
    }
    if (!image->is_palette && ic_encode_tiff(image->pixels, image->width, image->height, image->channels,
                                             image->bit_depth, (int)image->is_float, &bytes, &size, message) == IC_OK) {
        if (decode(AS_TIFF, bytes, size, 0, &back) != IC_OK || back.pixel_bytes != image->pixel_bytes
            || memcmp(back.pixels, image->pixels, back.pixel_bytes) != 0) { fprintf(stderr, "TIFF round trip differs\n"); abort(); }
        ic_image_free(&back);
        ic_buffer_free(bytes);
    }
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) { perror(argv[i]); return 2; }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *data = malloc(n > 0 ? (size_t)n : 1);
        if (fread(data, 1, (size_t)n, f) != (size_t)n) { perror(argv[i]); return 2; }
        fclose(f);
        for (int format = AS_PNG; format <= AS_TIFF; format++) {
            ic_image image;
            if (decode(format, data, (size_t)n, 1, &image) == IC_OK && decode(format, data, (size_t)n, 0, &image) == IC_OK) roundTrip(&image);
            ic_image_free(&image);
            for (long cut = 0; cut < n; cut++) {
                decode(format, data, (size_t)cut, 0, &image);
                ic_image_free(&image);
            }
        }
        free(data);
    }
    printf("codec driver: %d files, %lu decode calls, no sanitizer reports\n", argc - 1, calls);
    return 0;
}
