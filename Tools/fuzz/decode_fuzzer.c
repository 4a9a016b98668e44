// libFuzzer harness for the C shim's decode entry points (ic_decode_png, ic_decode_jpeg,
// ic_decode_tiff). Built by Tools/fuzz with clang -fsanitize=fuzzer,address,undefined;
// FUZZ_TARGET picks the decoder (0: PNG, 1: JPEG, 2: TIFF). Each input is decoded twice: header only, then fully, under a
// 16 Mpixel cap (so a declared-huge image is refused, as the Swift side does by default).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "codecs.h"

#ifndef FUZZ_TARGET
#define FUZZ_TARGET 0
#endif

static int decode(const uint8_t *data, size_t size, int header_only) {
    ic_limits limits = {.max_pixels = 1u << 24, .max_dimension = 1u << 14};
    ic_image image;
    memset(&image, 0, sizeof image);
    char message[IC_MESSAGE_CAPACITY] = {0};
    int code = FUZZ_TARGET == 0 ? ic_decode_png(data, size, limits, header_only, &image, message)
             : FUZZ_TARGET == 1 ? ic_decode_jpeg(data, size, limits, header_only, &image, message)
                                : ic_decode_tiff(data, size, limits, header_only, &image, message);
    if (code == IC_OK && !header_only) {
        size_t expected = (size_t)image.width * image.height * image.channels * (image.bit_depth / 8);
        if (image.pixels == NULL || image.pixel_bytes != expected) abort();  // a silent wrong result
        volatile uint8_t sink = 0;  // touch every byte so ASan sees short buffers
        for (size_t i = 0; i < image.pixel_bytes; i++) sink ^= ((uint8_t *)image.pixels)[i];
        (void)sink;
    }
    if (code != IC_OK && message[0] == 0 && code != IC_ERR_NO_MEMORY) abort();  // errors must say why
    ic_image_free(&image);
    return code;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (decode(data, size, 1) == IC_OK) decode(data, size, 0);
    return 0;
}
