#include "dnnl_shim.h"
