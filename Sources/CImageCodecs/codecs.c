// Functions shared by both codecs: releasing what the decoders and encoders hand out.
#include <stdlib.h>
#include "codecs.h"

void ic_image_free(ic_image *image) {
    if (image == NULL) return;
    free(image->pixels);
    image->pixels = NULL;
    image->pixel_bytes = 0;
}

void ic_buffer_free(void *buffer) { free(buffer); }
