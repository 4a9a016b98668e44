import Datasets

extension TrainingOptions {
    /// Where the training data is; nil when neither a data folder nor images and masks folders
    /// are given.
    public var dataLocation: DatasetLocation? {
        if let images = imagesDirectory, let masks = masksDirectory { return .folders(images: images, masks: masks) }
        return dataRoot.map(DatasetLocation.root)
    }
}

extension PreparedData {
    /// The data of `options`: its location, validation data, class map and split; the class
    /// count of `options.model` is used unless `inferClasses`.
    public static func load(_ options: TrainingOptions, inferClasses: Bool) throws -> PreparedData {
        guard let location = options.dataLocation else {
            throw TrainingError.noData("no training data given (--data DIR, or --images DIR with --masks DIR)")
        }
        return try load(location, validationRoot: options.validationRoot, classMapPath: options.classMapPath,
                        classCount: inferClasses ? nil : options.model.classes,
                        validationFraction: options.validationFraction, seed: options.seed)
    }
}
